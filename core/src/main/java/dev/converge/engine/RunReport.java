package dev.converge.engine;

import dev.converge.execute.Outcome;
import dev.converge.plan.Plan;
import dev.converge.probe.Prober;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything one run did and saw.
 *
 * @param resources every resource the run dealt with: the desired ones and those being deleted
 * @param plan the first round's plan (what a reviewer would have seen)
 * @param actions every action of every round, in completion order within a round
 * @param notReady unchanged resources downstream of a change that did not become ready in time
 * @param probes every probe batch (one per host and driver and round)
 * @param connectionsOpened per host, for this engine so far
 * @param applied false for {@code plan}: nothing was changed
 */
public record RunReport(
    String runId,
    java.util.SortedSet<dev.converge.resource.ResourceId> resources,
    Plan plan,
    List<ActionResult> actions,
    List<Prober.Failure> probeFailures,
    List<NotConverging> notConverging,
    List<Outcome> notReady,
    int rounds,
    List<Prober.BatchStats> probes,
    Map<String, Integer> connectionsOpened,
    Duration took,
    boolean applied) {

  public RunReport {
    resources = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(resources));
    actions = List.copyOf(actions);
    probeFailures = List.copyOf(probeFailures);
    notConverging = List.copyOf(notConverging);
    notReady = List.copyOf(notReady);
    probes = List.copyOf(probes);
    connectionsOpened = Map.copyOf(connectionsOpened);
  }

  public long count(Outcome.Status status) {
    return actions.stream().filter(a -> a.outcome().status() == status).count();
  }

  /**
   * Applied: every action succeeded, every resource was probed, nothing is left differing. Plan: every resource was
   * probed.
   */
  public boolean converged() {
    return probeFailures.isEmpty() && notConverging.isEmpty() && notReady.isEmpty()
        && actions.stream().allMatch(a -> a.outcome().succeeded());
  }
}

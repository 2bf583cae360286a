package dev.converge.cli.watch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.engine.ActionResult;
import dev.converge.engine.NotConverging;
import dev.converge.engine.RunReport;
import dev.converge.probe.Prober;
import dev.converge.resource.Change;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What watch has seen, for {@code /healthz}, {@code /status} and {@code /metrics}: the last run, each resource's
 * state after it, drift (changes needed while the spec had not changed: someone or something altered a host), and
 * counters since start. Thread-safe; the HTTP server reads while the loop writes.
 */
public final class WatchStatus {

  private static final int DRIFT_KEPT = 100;

  private final Instant started = Instant.now();
  private final Duration interval;
  private long runsConverged;
  private long runsFailed;
  private final Map<String, Long> actions = new TreeMap<>();
  private final Map<String, double[]> probeSeconds = new TreeMap<>();
  private long driftTotal;
  private int lastDrift;
  private final Deque<String[]> drift = new ArrayDeque<>();
  private Instant lastFinished;
  private RunReport last;
  private String lastError;
  private String lastSpecDigest;
  private Map<String, Instant> paused = Map.of();
  private final Map<ResourceId, String> resourceState = new TreeMap<>();

  public WatchStatus(Duration interval) {
    this.interval = interval;
  }

  /** Records a finished run (or the error that stopped it) and the hosts paused during it. */
  synchronized void record(Optional<RunReport> report, Optional<String> error, String specDigest,
      Map<String, Instant> pausedHosts) {
    lastFinished = Instant.now();
    paused = Map.copyOf(pausedHosts);
    lastError = error.orElse(null);
    if (report.isEmpty()) {
      runsFailed++;
      return;
    }
    RunReport r = report.get();
    last = r;
    if (r.converged()) {
      runsConverged++;
    } else {
      runsFailed++;
    }
    for (ActionResult a : r.actions()) {
      actions.merge(a.change().type().verb() + "\0" + a.outcome().status().name().toLowerCase(Locale.ROOT), 1L,
          Long::sum);
    }
    for (Prober.BatchStats b : r.probes()) {
      double[] sumCount = probeSeconds.computeIfAbsent(b.kind(), k -> new double[2]);
      sumCount[0] += b.took().toNanos() / 1e9;
      sumCount[1] += 1;
    }
    boolean sameSpec = specDigest.equals(lastSpecDigest);
    lastSpecDigest = specDigest;
    lastDrift = sameSpec ? r.plan().changes().size() : 0;
    if (sameSpec) {
      driftTotal += lastDrift;
      for (Change c : r.plan().changes()) {
        drift.addFirst(new String[] {lastFinished.toString(), c.id().toString(), c.type().verb()});
        while (drift.size() > DRIFT_KEPT) {
          drift.removeLast();
        }
      }
    }
    resourceState.clear();
    r.resources().forEach(id -> resourceState.put(id, "converged"));
    r.actions().forEach(a -> resourceState.put(a.change().id(), switch (a.outcome().status()) {
      case SUCCEEDED -> "changed";
      case FAILED -> "failed";
      case SKIPPED -> "skipped";
    }));
    r.probeFailures().forEach(f -> f.resources().forEach(id -> resourceState.put(id, "unknown")));
    r.notReady().forEach(o -> resourceState.put(o.id(), "not-ready"));
    for (NotConverging nc : r.notConverging()) {
      resourceState.put(nc.id(), "not-converging");
    }
  }

  /** Healthy once a run finished and the last one converged. */
  synchronized Optional<String> unhealthy() {
    if (lastFinished == null) {
      return Optional.of("no run finished yet");
    }
    if (lastError != null) {
      return Optional.of(lastError);
    }
    return last.converged() ? Optional.empty() : Optional.of("last run did not converge");
  }

  synchronized ObjectNode json() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("started", started.toString());
    root.put("interval_seconds", interval.toSeconds());
    root.put("runs", runsConverged + runsFailed);
    ObjectNode lastRun = root.putObject("last_run");
    if (lastFinished != null) {
      lastRun.put("finished", lastFinished.toString());
      lastRun.put("error", lastError);
      if (last != null) {
        lastRun.put("id", last.runId());
        lastRun.put("converged", last.converged() && lastError == null);
        lastRun.put("rounds", last.rounds());
        lastRun.put("duration_ms", last.took().toMillis());
        lastRun.put("changes", last.plan().changes().size());
      }
    }
    ObjectNode pausedNode = root.putObject("paused_hosts");
    paused.forEach((h, until) -> pausedNode.put(h, until.toString()));
    ObjectNode resources = root.putObject("resources");
    resourceState.forEach((id, s) -> resources.put(id.toString(), s));
    ArrayNode driftNode = root.putArray("drift");
    for (String[] d : drift) {
      ObjectNode n = driftNode.addObject();
      n.put("time", d[0]);
      n.put("address", d[1]);
      n.put("action", d[2]);
    }
    return root;
  }

  /** Prometheus text exposition format 0.0.4. */
  synchronized String metrics() {
    StringBuilder sb = new StringBuilder();
    help(sb, "converge_runs_total", "counter", "Runs of the watch loop by result.");
    sb.append("converge_runs_total{result=\"converged\"} ").append(runsConverged).append('\n');
    sb.append("converge_runs_total{result=\"failed\"} ").append(runsFailed).append('\n');
    help(sb, "converge_actions_total", "counter", "Actions by type and result.");
    actions.forEach((k, n) -> {
      String[] p = k.split("\0");
      sb.append("converge_actions_total{action=\"").append(p[0]).append("\",result=\"").append(p[1]).append("\"} ")
          .append(n).append('\n');
    });
    help(sb, "converge_drift_resources", "gauge", "Resources that had drifted in the last run (spec unchanged).");
    sb.append("converge_drift_resources ").append(lastDrift).append('\n');
    help(sb, "converge_drift_total", "counter", "Drifted resources seen since start.");
    sb.append("converge_drift_total ").append(driftTotal).append('\n');
    help(sb, "converge_probe_duration_seconds", "summary", "Probe batch latency by driver kind.");
    probeSeconds.forEach((kind, sc) -> {
      sb.append("converge_probe_duration_seconds_sum{kind=\"").append(kind).append("\"} ")
          .append(String.format(Locale.ROOT, "%.6f", sc[0])).append('\n');
      sb.append("converge_probe_duration_seconds_count{kind=\"").append(kind).append("\"} ")
          .append((long) sc[1]).append('\n');
    });
    help(sb, "converge_last_run_converged", "gauge", "1 if the last run converged.");
    sb.append("converge_last_run_converged ").append(last != null && last.converged() && lastError == null ? 1 : 0)
        .append('\n');
    help(sb, "converge_last_run_timestamp_seconds", "gauge", "When the last run finished.");
    sb.append("converge_last_run_timestamp_seconds ")
        .append(lastFinished == null ? 0 : lastFinished.getEpochSecond()).append('\n');
    help(sb, "converge_paused_hosts", "gauge", "Hosts backed off after failures.");
    sb.append("converge_paused_hosts ").append(paused.size()).append('\n');
    return sb.toString();
  }

  private static void help(StringBuilder sb, String name, String type, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }
}

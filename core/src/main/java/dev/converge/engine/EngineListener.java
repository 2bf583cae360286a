package dev.converge.engine;

import dev.converge.execute.Outcome;
import dev.converge.plan.Plan;
import dev.converge.probe.Prober;
import dev.converge.resource.Change;

/** Progress of a run, as it happens, for the command line and for watch's status; every method is optional. */
public interface EngineListener {

  EngineListener NONE = new EngineListener() {};

  /** The first probe of the run is about to start ({@code resources} to probe). */
  default void probing(int resources) {}

  /** A round's plan, before anything of it runs (round 1 is the plan the user reviews). */
  default void planned(int round, Plan plan) {}

  /** One action finished (or was skipped because a dependency failed). Called from worker threads. */
  default void actionDone(Change change, Outcome outcome) {}

  /** A batch could not be probed: its resources are unknown this run. */
  default void probeFailed(Prober.Failure failure) {}

  /** An unchanged resource downstream of a change did not become ready in time; its dependents were skipped. */
  default void notReady(Outcome outcome) {}

  /** A resource still differs after its action succeeded. */
  default void notConverging(NotConverging resource) {}
}

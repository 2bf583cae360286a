package dev.converge.engine;

import dev.converge.compile.Compilation;
import dev.converge.compile.CompileException;
import dev.converge.compile.Compiler;
import dev.converge.driver.Batching;
import dev.converge.driver.Driver;
import dev.converge.driver.DriverRegistry;
import dev.converge.driver.Movable;
import dev.converge.driver.Rendering;
import dev.converge.diff.Differ;
import dev.converge.driver.Target;
import dev.converge.execute.Executor;
import dev.converge.execute.Outcome;
import dev.converge.graph.CycleException;
import dev.converge.plan.Plan;
import dev.converge.plan.PlanJson;
import dev.converge.plan.Planner;
import dev.converge.plan.Staleness;
import dev.converge.probe.ProbeCache;
import dev.converge.probe.Prober;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.state.State;
import dev.converge.state.StateException;
import dev.converge.state.StateStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciliation loop: compile the spec, probe what the hosts have, diff, plan, and (for apply) execute in
 * dependency order, re-probing what was touched and repeating until nothing differs or {@code maxRounds} is reached.
 *
 * <p>One engine serves many runs ({@code watch}): it keeps the transports (one per host) and the probe cache between
 * them. Runs on one engine must not overlap; the state lock held by the caller guarantees it across processes.
 */
public final class Engine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final DriverRegistry registry;
  private final Endpoints endpoints;
  private final TransportPool pool;
  private final ProbeCache cache;
  private final Executor.Limits limits;
  private final int maxRounds;
  private final Map<String, String> environment;
  private final EngineListener listener;
  private final boolean lab;
  private final ExecutorService probePool;

  private Engine(Builder b) {
    this.registry = b.registry;
    this.endpoints = b.endpoints;
    this.pool = new TransportPool(b.registry);
    this.cache = b.cache;
    this.limits = b.limits;
    this.maxRounds = b.maxRounds;
    this.environment = b.environment;
    this.listener = b.listener;
    this.lab = b.lab;
    AtomicInteger n = new AtomicInteger();
    this.probePool = Executors.newFixedThreadPool(b.limits.parallelism(), r -> {
      Thread t = new Thread(r, "converge-probe-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder(DriverRegistry registry) {
    return new Builder(registry);
  }

  /** What a run may be told besides the spec. */
  public record Options(Optional<PlanJson.Saved> savedPlan, Set<String> pausedHosts) {
    public Options {
      pausedHosts = Set.copyOf(pausedHosts);
    }

    public static Options defaults() {
      return new Options(Optional.empty(), Set.of());
    }

    /** Apply only if the plan made now is the saved one. */
    public static Options applying(PlanJson.Saved saved) {
      return new Options(Optional.of(saved), Set.of());
    }

    /**
     * Leave these hosts alone this run, besides those already paused (watch backs off from failing hosts;
     * {@code --limit} pauses every host outside it).
     */
    public Options pausing(Set<String> hosts) {
      Set<String> all = new HashSet<>(pausedHosts);
      all.addAll(hosts);
      return new Options(savedPlan, all);
    }
  }

  /** Computes the plan; changes nothing, writes nothing. */
  public RunReport plan(Spec spec, StateStore store) throws EngineException, InterruptedException {
    return plan(spec, store, Options.defaults());
  }

  /** Computes the plan, leaving out the paused hosts' resources; changes nothing, writes nothing. */
  public RunReport plan(Spec spec, StateStore store, Options options) throws EngineException, InterruptedException {
    return new Run(spec, store, options, false).execute();
  }

  /** Converges: plans, executes, verifies, records ownership in state and every action in the journal. */
  public RunReport apply(Spec spec, StateStore store, Options options) throws EngineException, InterruptedException {
    return new Run(spec, store, options, true).execute();
  }

  public TransportPool transports() {
    return pool;
  }

  public ProbeCache cache() {
    return cache;
  }

  @Override
  public void close() {
    probePool.shutdownNow();
    pool.close();
  }

  /** Configures an engine; every setting has a default. */
  public static final class Builder {
    private final DriverRegistry registry;
    private Endpoints endpoints = Endpoints.fromSpec();
    private ProbeCache cache = ProbeCache.disabled();
    private Executor.Limits limits = Executor.Limits.defaults();
    private int maxRounds = 5;
    private Map<String, String> environment = System.getenv();
    private EngineListener listener = EngineListener.NONE;
    private boolean lab;

    private Builder(DriverRegistry registry) {
      this.registry = registry;
    }

    /** How hosts are reached (the lab maps spec hosts to its own). */
    public Builder endpoints(Endpoints e) {
      this.endpoints = e;
      return this;
    }

    public Builder probeCache(ProbeCache c) {
      this.cache = c;
      return this;
    }

    public Builder limits(Executor.Limits l) {
      this.limits = l;
      return this;
    }

    /** Rounds of execute + verify before giving up on what still differs (default 5). */
    public Builder maxRounds(int rounds) {
      if (rounds < 1) {
        throw new IllegalArgumentException("maxRounds < 1");
      }
      this.maxRounds = rounds;
      return this;
    }

    /** Where {@code env:} secrets are read from (default: the process environment). */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      return this;
    }

    /**
     * Whether the hosts are the lab's Linux namespaces. Their link interfaces already exist (the lab makes them as
     * veths), so converge builds no WireGuard or GRE tunnel, whose endpoints are the spec's real addresses outside
     * the lab; and jails of FreeBSD release images, which Linux cannot run, are left out.
     */
    public Builder lab(boolean lab) {
      this.lab = lab;
      return this;
    }

    public Builder listener(EngineListener l) {
      this.listener = l;
      return this;
    }

    public Engine build() {
      return new Engine(this);
    }
  }

  /** One invocation: all of its mutable state. */
  private final class Run {
    private final Spec spec;
    private final StateStore store;
    private final Options options;
    private final boolean applying;
    private final String runId = UUID.randomUUID().toString();
    private final long started = System.nanoTime();
    private final Map<String, Target> targets = new HashMap<>();
    private final Map<String, String> platforms = new ConcurrentHashMap<>();
    private final List<ActionResult> actions = new ArrayList<>();
    private final List<Prober.Failure> probeFailures = new ArrayList<>();
    private final List<Prober.BatchStats> probeStats = new ArrayList<>();
    private final List<NotConverging> notConverging = new ArrayList<>();
    private final List<Outcome> notReady = new ArrayList<>();
    private Compilation compilation;
    private Map<String, Resource> jails;
    /** Probe failures, after a round, of resources never probed so far: reported only if they never are. */
    private final List<Prober.Failure> laterProbeFailures = new ArrayList<>();
    private List<Resource> deletions;
    private final Map<ResourceId, Resource> deletionsById = new HashMap<>();
    private final Set<ResourceId> unprobed = new HashSet<>();
    private Inventory inventory;

    Run(Spec spec, StateStore store, Options options, boolean applying) {
      this.spec = spec;
      this.store = store;
      this.options = options;
      this.applying = applying;
    }

    RunReport execute() throws EngineException, InterruptedException {
      State state = readState();
      inventory = new Inventory(store, state, applying);
      if (applying) {
        journal("run-start", Map.of("spec", spec.root().toString(), "pid", ProcessHandle.current().pid(),
            "user", System.getProperty("user.name")));
      }
      RunReport report;
      try {
        report = converge(state);
      } catch (EngineException | InterruptedException | RuntimeException e) {
        if (applying) {
          finish(false);
        }
        throw e;
      }
      if (applying && !finish(report.converged())) {
        throw new EngineException(EngineException.Kind.FAILED, "could not record state in " + store.directory());
      }
      return report;
    }

    /** Journals the end of the run and writes state; false if state could not be written. */
    private boolean finish(boolean converged) {
      journal("run-end", Map.of("result", converged ? "converged" : "failed", "actions", actions.size(),
          "duration_ms", elapsed().toMillis()));
      try {
        inventory.flush();
        return true;
      } catch (StateException e) {
        LOG.error("could not write state: {}", e.getMessage());
        return false;
      }
    }

    private RunReport converge(State state) throws EngineException, InterruptedException {
      compilation = compile(state);
      List<String> notes = new ArrayList<>(compilation.notes());
      deletions = deletions(state, notes);
      deletions.forEach(d -> deletionsById.put(d.id(), d));
      requireDrivers();
      List<Resource> all = new ArrayList<>(compilation.graph().resources().values());
      all.addAll(deletions);
      Set<ResourceId> paused = all.stream()
          .map(Resource::id)
          .filter(id -> options.pausedHosts().contains(hostOf(id.target())))
          .collect(Collectors.toSet());

      List<Resource> toProbe = without(all, paused);
      listener.probing(toProbe.size());
      List<Prober.Failure> firstFailures = new ArrayList<>();
      Map<ResourceId, Observation> observed = new HashMap<>(probe(toProbe, firstFailures));
      Plan first = plan(observed, notes);
      List<Prober.Failure> deferred = deferrable(firstFailures, first);
      Map<Prober.Failure, String> deferralNotes = new HashMap<>();
      if (!deferred.isEmpty()) {
        for (Prober.Failure f : deferred) {
          String note = f.resources().size() + " " + f.kind() + " resource(s) on " + f.target() + " can be probed"
              + " only once what they depend on is applied (" + f.message() + ")";
          notes.add(note);
          deferralNotes.put(f, note);
        }
        first = plan(observed, notes);
      }
      Set<ResourceId> unknown = new HashSet<>(paused);
      for (Prober.Failure f : firstFailures) {
        if (!deferred.contains(f)) {
          reportProbeFailure(f);
          unknown.addAll(f.resources());
        }
      }
      listener.planned(1, first);
      if (options.savedPlan().isPresent()) {
        List<String> reasons = Staleness.reasons(options.savedPlan().get(), first);
        if (!reasons.isEmpty()) {
          throw new EngineException(EngineException.Kind.STALE_PLAN,
              "the saved plan is stale; make a new one:\n  " + String.join("\n  ", reasons));
        }
      }
      if (!applying) {
        return report(first, 0);
      }
      inventory.recordInSync(compilation.graph(), deletions, observed, first);
      inventory.forgetUnowned(compilation.graph(), spec.hosts().keySet());
      inventory.setAllocations(compilation.allocations());

      unprobed.addAll(unknown);
      Set<ResourceId> failed = new HashSet<>(unknown);
      Set<ResourceId> given = new HashSet<>();
      Plan plan = first;
      int round = 0;
      while (true) {
        List<Change> todo = plan.changes().stream()
            .filter(c -> !failed.contains(c.id()) && !given.contains(c.id()))
            .toList();
        if (todo.isEmpty()) {
          break;
        }
        if (round == maxRounds) {
          for (Change c : todo) {
            NotConverging nc = new NotConverging(c.id(), c.fields().stream().map(f -> f.field()).toList());
            notConverging.add(nc);
            listener.notConverging(nc);
          }
          break;
        }
        round++;
        if (round > 1) {
          listener.planned(round, plan);
        }
        Set<ResourceId> touched = executeRound(round, plan, todo, failed, observed.keySet());
        verify(touched, observed, given);
        plan = plan(observed, List.of());
      }
      Set<ResourceId> reported = new HashSet<>();
      probeFailures.forEach(f -> reported.addAll(f.resources()));
      List<Prober.Failure> waited = new ArrayList<>(deferred);
      waited.addAll(laterProbeFailures);
      for (Prober.Failure f : waited) {
        if (f.resources().stream().noneMatch(id -> observed.containsKey(id) || reported.contains(id))) {
          reportProbeFailure(f);
          unprobed.addAll(f.resources());
          reported.addAll(f.resources());
        }
      }
      // what the first plan could not know yet and this run then probed is no longer worth a note
      Set<String> settled = deferralNotes.entrySet().stream()
          .filter(e -> observed.keySet().containsAll(e.getKey().resources()))
          .map(Map.Entry::getValue)
          .collect(Collectors.toSet());
      return report(settled.isEmpty() ? first : new Plan(first.site(), first.changes(), first.dependencies(),
          first.notes().stream().filter(n -> !settled.contains(n)).toList(), first.fingerprint(),
          first.renderedDiffs()), round);
    }

    /**
     * Probe failures of resources that wait on a change of this run, such as the records of a zone whose server is
     * about to be set up: they are probed again once it is applied, and reported only if that fails too.
     */
    private List<Prober.Failure> deferrable(List<Prober.Failure> failures, Plan plan) {
      if (failures.isEmpty()) {
        return List.of();
      }
      Set<ResourceId> changing = new HashSet<>();
      plan.changes().forEach(c -> changing.add(c.id()));
      Set<ResourceId> waiting = compilation.graph().downstreamOf(changing);
      return failures.stream().filter(f -> waiting.containsAll(f.resources())).toList();
    }

    /** Re-probes what was touched and what depends on it; a touched resource that still differs is given up on. */
    private void verify(Set<ResourceId> touched, Map<ResourceId, Observation> observed, Set<ResourceId> given)
        throws InterruptedException {
      Set<ResourceId> again = new TreeSet<>(touched);
      again.addAll(compilation.graph().downstreamOf(touched));
      cache.invalidate(again);
      List<Resource> resources = new ArrayList<>();
      for (ResourceId id : again) {
        compilation.graph().resource(id).ifPresent(resources::add);
        Resource deletion = deletionsById.get(id);
        if (deletion != null) {
          resources.add(deletion);
        }
      }
      List<Prober.Failure> failures = new ArrayList<>();
      observed.putAll(probe(resources, failures));
      for (Prober.Failure f : failures) {
        // resources never probed yet wait on changes still to come (a zone inside a jail that was just made):
        // reported at the end only if they are never probed
        if (f.resources().stream().noneMatch(observed::containsKey)) {
          laterProbeFailures.add(f);
        } else {
          reportProbeFailure(f);
        }
      }
      for (ResourceId id : touched) {
        Resource r = compilation.graph().resource(id).orElse(deletionsById.get(id));
        if (r == null) {
          continue;
        }
        Observation o = observed.get(id);
        if (o == null) {
          continue;
        }
        Driver d = driverFor(r);
        Differ.diff(r, o, d.immutableFields()).ifPresent(c -> {
          NotConverging nc = new NotConverging(id, c.fields().stream().map(f -> f.field()).toList());
          notConverging.add(nc);
          given.add(id);
          listener.notConverging(nc);
          journal("not-converging", Map.of("id", id.toString(), "fields", String.join(",", nc.fields())));
        });
      }
    }

    /**
     * Runs one round's changes, plus readiness checks of unchanged resources downstream of them. A change downstream
     * of a resource not probed yet (its probe waits on this run's changes, as a zone inside a jail about to be made)
     * waits for a later round, once that resource is probed and planned. Returns the ids whose action succeeded.
     */
    private Set<ResourceId> executeRound(int round, Plan plan, List<Change> todo, Set<ResourceId> failed,
        Set<ResourceId> probed) {
      Map<ResourceId, Change> byId = new LinkedHashMap<>();
      todo.forEach(c -> byId.put(c.id(), c));
      Map<ResourceId, ResourceId> blockedBy = causes(failed);
      Set<ResourceId> notProbed = new HashSet<>(compilation.graph().resources().keySet());
      notProbed.removeAll(probed);
      notProbed.removeAll(failed);
      Set<ResourceId> later = new HashSet<>(notProbed);
      later.addAll(compilation.graph().downstreamOf(notProbed));
      List<ResourceId> order = new ArrayList<>();
      for (Change c : todo) {
        ResourceId cause = blockedBy.get(c.id());
        if (later.contains(c.id())) {
          continue;
        }
        if (cause != null) {
          String why = unprobed.contains(cause) ? " could not be probed" : " failed";
          record(round, c, Outcome.skipped(c.id(), cause, "skipped because " + cause + why));
          failed.add(c.id());
        } else {
          order.add(c.id());
        }
      }
      Set<ResourceId> blocked = blockedBy.keySet();
      // Unchanged resources downstream of a change only have their readiness checked, after what they depend on.
      Set<ResourceId> downstream = new HashSet<>(compilation.graph().downstreamOf(order));
      downstream.removeAll(byId.keySet());
      downstream.removeAll(blocked);
      downstream.removeAll(later);
      List<ResourceId> ordered = new ArrayList<>(order);
      compilation.graph().topologicalOrder().stream().filter(downstream::contains).forEach(ordered::add);

      Set<ResourceId> succeeded = ConcurrentHashMap.newKeySet();
      Executor.Batches batches = new Executor.Batches() {
        @Override
        public Object keyOf(ResourceId id) {
          Change c = byId.get(id);
          return c != null && c.type() != ChangeType.MOVE && driverFor(c.desired()) instanceof Batching
              ? c.id().kind() + "/" + c.id().target() : null;
        }

        @Override
        public void run(List<ResourceId> ids) throws Exception {
          List<Change> changes = ids.stream().map(byId::get).toList();
          ((Batching) driverFor(changes.get(0).desired())).applyAll(target(ids.get(0).target()), changes);
          cache.invalidate(ids);
        }
      };
      new Executor(limits).run(plan.dependencies(), ordered, id -> step(byId.get(id), id), batches, this::awaitReady,
          outcome -> {
        Change c = byId.get(outcome.id());
        if (c == null) {
          if (!outcome.succeeded()) {
            failed.add(outcome.id());
            notReady(outcome);
          }
          return;
        }
        record(round, c, outcome);
        if (outcome.succeeded()) {
          succeeded.add(c.id());
          c.fromTarget().ifPresent(from -> succeeded.add(new ResourceId(c.id().kind(), from, c.id().name())));
          inventory.applied(c, c.desired().isPresent() ? compilation.graph().dependenciesOf(c.id()) : Set.of());
        } else {
          failed.add(c.id());
        }
      });
      awaitReadyAfterDeletions(plan, byId, succeeded, failed);
      return succeeded;
    }

    /**
     * A resource that used one deleted this round went first (it stops using it) and was found ready while it still
     * had it — an OSPF router and the loopback that held an address that moved away: it counts as ready only if it
     * still is once the deletion is done.
     */
    private void awaitReadyAfterDeletions(Plan plan, Map<ResourceId, Change> byId, Set<ResourceId> succeeded,
        Set<ResourceId> failed) {
      Set<ResourceId> again = new TreeSet<>();
      for (ResourceId id : succeeded) {
        Change c = byId.get(id);
        if (c != null && c.type() == ChangeType.DELETE && plan.dependencies().nodes().contains(id)) {
          plan.dependencies().predecessors(id).stream()
              .filter(user -> compilation.graph().resource(user).isPresent() && !failed.contains(user))
              .forEach(again::add);
        }
      }
      for (ResourceId id : again) {
        long start = System.nanoTime();
        try {
          awaitReady(id);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          failed.add(id);
          notReady(Outcome.failed(id, e.getMessage(), Duration.ofNanos(System.nanoTime() - start)));
        }
      }
    }

    /** An unchanged resource downstream of a change did not become ready: its dependents were skipped. */
    private void notReady(Outcome outcome) {
      synchronized (notReady) {
        notReady.add(outcome);
      }
      listener.notReady(outcome);
      if (applying) {
        journal("not-ready", Map.of("id", outcome.id().toString(), "error", outcome.message()));
      }
    }

    /** Everything downstream of a failed resource, with the (smallest) failed resource it is downstream of. */
    private Map<ResourceId, ResourceId> causes(Set<ResourceId> failed) {
      Map<ResourceId, ResourceId> causeOf = new HashMap<>();
      ArrayDeque<ResourceId> queue = new ArrayDeque<>();
      for (ResourceId f : new TreeSet<>(failed)) {
        if (compilation.graph().resource(f).isPresent()) {
          queue.add(f);
          causeOf.put(f, f);
        }
      }
      while (!queue.isEmpty()) {
        ResourceId at = queue.poll();
        for (ResourceId next : compilation.graph().dependentsOf(at)) {
          if (!causeOf.containsKey(next)) {
            causeOf.put(next, causeOf.get(at));
            queue.add(next);
          }
        }
      }
      failed.forEach(causeOf::remove);
      return causeOf;
    }

    /** Applies {@code change}; an unchanged resource downstream of a change (null) only has its readiness checked. */
    private void step(Change change, ResourceId id) throws Exception {
      if (change == null) {
        return;
      }
      Driver d = driverFor(change.desired());
      Target t = target(id.target());
      if (change.type() == ChangeType.MOVE) {
        ((Movable) d).move(target(change.fromTarget().orElseThrow()), t, change);
      } else {
        d.apply(t, change);
      }
      cache.invalidate(List.of(id));
    }

    /** Waits until a resource that is (still) in the spec is ready for its dependents. */
    private void awaitReady(ResourceId id) throws Exception {
      Optional<Resource> present = compilation.graph().resource(id).filter(Resource::isPresent);
      if (present.isEmpty()) {
        return;
      }
      Resource r = present.get();
      Driver d = driverFor(r);
      Target t = target(id.target());
      Duration timeout = d.readinessTimeout(r);
      long deadline = System.nanoTime() + timeout.toNanos();
      long pause = 50;
      while (true) {
        var readiness = d.readiness(t, r);
        if (readiness.ready()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("not ready after " + timeout.toSeconds() + "s: waiting for "
              + readiness.waitingFor());
        }
        Thread.sleep(pause);
        pause = Math.min(1000, pause * 2);
      }
    }

    private void record(int round, Change c, Outcome o) {
      synchronized (actions) {
        actions.add(new ActionResult(round, c, o));
      }
      listener.actionDone(c, o);
      if (applying) {
        Map<String, Object> fields = new TreeMap<>();
        fields.put("id", c.id().toString());
        fields.put("type", c.type().verb());
        fields.put("result", switch (o.status()) {
          case SUCCEEDED -> "ok";
          case FAILED -> "failed";
          case SKIPPED -> "skipped";
        });
        fields.put("duration_ms", o.duration().toMillis());
        if (!o.message().isEmpty()) {
          fields.put("error", o.message());
        }
        journal("action", fields);
      }
    }

    private Plan plan(Map<ResourceId, Observation> observed, List<String> notes) throws EngineException {
      try {
        State state = store.read();
        return Planner.plan(new Planner.Input(spec.site(), compilation.graph(), deletions,
            recordedRequires(state), observed, kind -> immutableFields(kind), this::movable, this::rendering,
            SpecDigest.of(spec.sources()), state.lineage(), state.serial(), store.planKey(), notes));
      } catch (StateException e) {
        throw new EngineException(EngineException.Kind.FAILED, e.getMessage(), e);
      }
    }

    private Map<ResourceId, Set<ResourceId>> recordedRequires(State state) {
      Map<ResourceId, Set<ResourceId>> out = new HashMap<>();
      state.resources().forEach((id, o) -> out.put(id, o.requires()));
      return out;
    }

    private Set<String> immutableFields(String kind) {
      Set<String> fields = new HashSet<>();
      registry.driversOf(kind).forEach(d -> fields.addAll(d.immutableFields()));
      return fields;
    }

    private boolean movable(String kind) {
      return registry.driversOf(kind).stream().anyMatch(Movable.class::isInstance);
    }

    private Optional<Rendering> rendering(Resource r) {
      return driverFor(r) instanceof Rendering rendering ? Optional.of(rendering) : Optional.empty();
    }

    /** Probes, handing failures to {@code failures} for the caller to report. */
    private Map<ResourceId, Observation> probe(Collection<Resource> resources, List<Prober.Failure> failures)
        throws InterruptedException {
      Prober prober = new Prober(this::target, this::driverFor, cache, probePool);
      Prober.Result result = prober.probe(resources);
      probeStats.addAll(result.batches());
      failures.addAll(result.failures());
      return result.observations();
    }

    private void reportProbeFailure(Prober.Failure f) {
      probeFailures.add(f);
      listener.probeFailed(f);
      if (applying) {
        journal("probe-failed", Map.of("target", f.target(), "kind", f.kind(), "error", f.message()));
      }
    }

    /** A host of the spec, or a jail whose resources are reached inside it through its host. */
    private Target target(String name) {
      synchronized (targets) {
        Target t = targets.get(name);
        if (t == null) {
          Resource jail = spec.hosts().containsKey(name) ? null : jails().get(name);
          t = jail == null ? new HostTarget(name, platform(name), endpoints.of(spec, name), pool)
              : new JailTarget(name, platform(name), target(jail.target()), jail, driverFor(jail));
          targets.put(name, t);
        }
        return t;
      }
    }

    /** The jails of this run by name: resources can target them as they target hosts. */
    private Map<String, Resource> jails() {
      if (jails == null) {
        Map<String, Resource> byName = new HashMap<>();
        compilation.graph().resources().values().stream().filter(r -> r.kind().equals(Compiler.JAIL))
            .forEach(r -> byName.put(r.id().name(), r));
        jails = Map.copyOf(byName);
      }
      return jails;
    }

    /** The host a target is on: itself for a host, its host for a jail. */
    private String hostOf(String target) {
      Resource jail = spec.hosts().containsKey(target) ? null : jails().get(target);
      return jail == null ? target : jail.target();
    }

    private Driver driverFor(Resource r) {
      return registry.driverFor(r.kind(), platform(r.target())).orElseThrow();
    }

    private String platform(String target) {
      return platforms.computeIfAbsent(target, t -> endpoints.platform(spec, hostOf(t)));
    }

    private void requireDrivers() throws EngineException {
      Map<String, List<ResourceId>> missing = new TreeMap<>();
      Map<String, Boolean> known = new HashMap<>();
      List<Resource> all = new ArrayList<>(compilation.graph().resources().values());
      all.addAll(deletions);
      for (Resource r : all) {
        String platform = platform(r.target());
        String key = "`" + r.kind() + "` on " + platform;
        if (!known.computeIfAbsent(key, k -> registry.driverFor(r.kind(), platform).isPresent())) {
          missing.computeIfAbsent(key, k -> new ArrayList<>()).add(r.id());
        }
      }
      if (!missing.isEmpty()) {
        String list = missing.entrySet().stream().map(e -> "no driver for resource kind " + e.getKey()
            + " (needed by " + e.getValue().get(0) + (e.getValue().size() > 1 ? " and " + (e.getValue().size() - 1)
            + " more" : "") + ")").collect(Collectors.joining("\n"));
        throw new EngineException(EngineException.Kind.FAILED, list + "\ninstalled kinds: "
            + String.join(", ", registry.kinds()) + "; a driver jar can be added with --drivers DIR");
      }
    }

    /**
     * Resources converge created that the spec no longer has become deletions; ones it only adopted are
     * forgotten (noted); ones on hosts no longer in the spec cannot be reached and stay recorded (noted).
     */
    private List<Resource> deletions(State state, List<String> notes) {
      List<Resource> out = new ArrayList<>();
      state.resources().forEach((id, o) -> {
        if (compilation.graph().resource(id).isPresent()) {
          return;
        }
        if (!spec.hosts().containsKey(id.target()) && !jails().containsKey(id.target())) {
          notes.add(id + " is no longer in the spec, but its host `" + id.target()
              + "` is gone too: converge cannot remove it and keeps it recorded");
        } else if (o.created()) {
          out.add(Resource.absent(id, Location.unknown()));
        } else {
          notes.add(id + " is no longer in the spec; left in place because converge did not create it");
        }
      });
      return out;
    }

    private Compilation compile(State state) throws EngineException {
      try {
        return Compiler.compile(spec, state.allocations(), Secrets.of(spec, environment), lab);
      } catch (CycleException e) {
        throw new EngineException(EngineException.Kind.INVALID_SPEC, e.getMessage(), e);
      } catch (CompileException e) {
        throw new EngineException(EngineException.Kind.FAILED, e.getMessage(), e);
      }
    }

    private State readState() throws EngineException {
      try {
        return store.read();
      } catch (StateException e) {
        throw new EngineException(EngineException.Kind.FAILED, e.getMessage(), e);
      }
    }

    private void journal(String event, Map<String, ?> fields) {
      store.journal().append(new dev.converge.state.JournalEvent(java.time.Instant.now(), runId, event,
          new TreeMap<>(fields)));
    }

    private Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - started);
    }

    private RunReport report(Plan first, int rounds) {
      List<ActionResult> done;
      synchronized (actions) {
        done = List.copyOf(actions);
      }
      java.util.TreeSet<ResourceId> ids = new java.util.TreeSet<>(compilation.graph().resources().keySet());
      ids.addAll(deletionsById.keySet());
      List<Outcome> waited;
      synchronized (notReady) {
        waited = List.copyOf(notReady);
      }
      return new RunReport(runId, ids, first, done, probeFailures, notConverging, waited, rounds, probeStats,
          pool.connectionsOpened(), elapsed(), applying);
    }

    private static List<Resource> without(Collection<Resource> resources, Set<ResourceId> skip) {
      return resources.stream().filter(r -> !skip.contains(r.id())).toList();
    }
  }
}

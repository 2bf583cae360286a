package dev.converge.memory;

import dev.converge.driver.ActionException;
import dev.converge.driver.Driver;
import dev.converge.driver.Movable;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Readiness;
import dev.converge.driver.Target;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A driver whose "hosts" are a map in memory: for engine tests and benchmarks only, never as proof that a real driver
 * works. Records every probe and action, and can be told to fail, to stall, to ignore a field (never converge), to
 * become ready only after some polls, and to measure how many actions ran at once.
 */
public final class InMemoryDriver implements Driver, Movable {

  private final String kind;
  private final Set<String> immutable;
  private final Map<ResourceId, Properties> world = new ConcurrentHashMap<>();
  private final List<String> journal = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> probesPerTarget = new ConcurrentHashMap<>();
  private final Set<ResourceId> failApply = ConcurrentHashMap.newKeySet();
  private final Set<String> failProbe = ConcurrentHashMap.newKeySet();
  private final Map<String, ResourceId> failProbeUntil = new ConcurrentHashMap<>();
  private final Map<ResourceId, String> ignoredField = new ConcurrentHashMap<>();
  private final Map<ResourceId, AtomicInteger> notReadyPolls = new ConcurrentHashMap<>();
  private final Map<ResourceId, ResourceId> readyOnlyWhile = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final Map<String, AtomicInteger> runningPerTarget = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxRunningPerTarget = new ConcurrentHashMap<>();
  private final Map<ResourceId, Map.Entry<ResourceId, Properties>> sideEffects = new ConcurrentHashMap<>();
  private volatile CountDownLatch gate;
  private volatile Duration readinessTimeout = Duration.ofSeconds(5);

  public InMemoryDriver(String kind, Set<String> immutableFields) {
    this.kind = kind;
    this.immutable = Set.copyOf(immutableFields);
  }

  public InMemoryDriver(String kind) {
    this(kind, Set.of());
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Set<String> immutableFields() {
    return immutable;
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    probesPerTarget.computeIfAbsent(target.name(), t -> new AtomicInteger()).incrementAndGet();
    if (failProbe.contains(target.name())) {
      throw new ProbeException("host " + target.name() + " unreachable (injected)");
    }
    ResourceId server = failProbeUntil.get(target.name());
    if (server != null && !world.containsKey(server)) {
      throw new ProbeException("nothing listens on " + target.name() + " before " + server + " exists (injected)");
    }
    List<Observation> out = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      Properties p = world.get(r.id());
      out.add(p == null ? Observation.absent(r.id()) : Observation.present(r.id(), p));
    }
    return out;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    enter(target.name());
    try {
      journal.add(change.type().verb() + " " + change.id());
      if (failApply.contains(change.id())) {
        throw new ActionException("apply of " + change.id() + " failed (injected)");
      }
      if (!change.desired().isPresent()) {
        world.remove(change.id());
        return;
      }
      Properties desired = change.desired().properties();
      String ignored = ignoredField.get(change.id());
      if (ignored != null) {
        Properties before = world.getOrDefault(change.id(), Properties.empty());
        desired = before.get(ignored).isPresent() ? desired.with(ignored, before.get(ignored).get())
            : desired.only(without(desired.fields(), ignored));
      }
      world.put(change.id(), desired);
      Map.Entry<ResourceId, Properties> effect = sideEffects.get(change.id());
      if (effect != null) {
        world.put(effect.getKey(), effect.getValue());
      }
    } finally {
      leave(target.name());
    }
  }

  @Override
  public void move(Target from, Target to, Change change) throws ActionException {
    enter(to.name());
    try {
      journal.add("move " + change.id().kind() + "/" + change.id().name() + " " + from.name() + " → " + to.name());
      world.remove(new ResourceId(change.id().kind(), from.name(), change.id().name()));
      world.put(change.id(), change.desired().properties());
    } finally {
      leave(to.name());
    }
  }

  @Override
  public Readiness readiness(Target target, Resource resource) {
    ResourceId needed = readyOnlyWhile.get(resource.id());
    if (needed != null && !world.containsKey(needed)) {
      return Readiness.waitingFor(needed + " to exist");
    }
    AtomicInteger left = notReadyPolls.get(resource.id());
    if (left != null && left.getAndDecrement() > 0) {
      return Readiness.waitingFor(resource.id() + " to come up");
    }
    journal.add("ready " + resource.id());
    return Readiness.READY;
  }

  @Override
  public Duration readinessTimeout(Resource resource) {
    return readinessTimeout;
  }

  private void enter(String target) throws ActionException {
    int now = running.incrementAndGet();
    maxRunning.accumulateAndGet(now, Math::max);
    int onTarget = runningPerTarget.computeIfAbsent(target, t -> new AtomicInteger()).incrementAndGet();
    maxRunningPerTarget.computeIfAbsent(target, t -> new AtomicInteger()).accumulateAndGet(onTarget, Math::max);
    CountDownLatch g = gate;
    if (g != null) {
      try {
        if (!g.await(10, TimeUnit.SECONDS)) {
          throw new ActionException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ActionException("interrupted");
      }
    }
  }

  private void leave(String target) {
    running.decrementAndGet();
    runningPerTarget.get(target).decrementAndGet();
  }

  private static Set<String> without(Set<String> fields, String field) {
    Set<String> out = new java.util.HashSet<>(fields);
    out.remove(field);
    return out;
  }

  /* ------------------------------------------------------------------ the fake world and its controls */

  /** Puts a resource on the fake host as if someone else had made it. */
  public void seed(ResourceId id, Properties p) {
    world.put(id, p);
  }

  public Map<ResourceId, Properties> world() {
    return world;
  }

  /** "create kind/target:name", "ready …", "move …" in the order they happened. */
  public List<String> journal() {
    synchronized (journal) {
      return List.copyOf(journal);
    }
  }

  public int probes(String target) {
    return probesPerTarget.getOrDefault(target, new AtomicInteger()).get();
  }

  public int probesTotal() {
    return probesPerTarget.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Applying {@code trigger} also sets {@code victim} to {@code p}, as a restart can undo another resource. */
  public void sideEffect(ResourceId trigger, ResourceId victim, Properties p) {
    sideEffects.put(trigger, Map.entry(victim, p));
  }

  public void failApply(ResourceId id) {
    failApply.add(id);
  }

  public void failProbe(String target) {
    failProbe.add(target);
  }

  /** Probes on {@code target} fail until {@code server} exists, like a zone's records before its DNS server. */
  public void failProbeUntilCreated(String target, ResourceId server) {
    failProbeUntil.put(target, server);
  }

  /** Apply leaves {@code field} as it was: the resource never converges on it. */
  public void ignoreField(ResourceId id, String field) {
    ignoredField.put(id, field);
  }

  /** {@code id} reports not-ready for {@code polls} readiness checks after each change. */
  public void notReadyFor(ResourceId id, int polls) {
    notReadyPolls.put(id, new AtomicInteger(polls));
  }

  /** {@code id} is ready only while {@code other} exists. */
  public void readyOnlyWhile(ResourceId id, ResourceId other) {
    readyOnlyWhile.put(id, other);
  }

  public void readinessTimeout(Duration d) {
    readinessTimeout = d;
  }

  /** Actions block on entry until {@code g} opens (to measure concurrency). */
  public void gate(CountDownLatch g) {
    gate = g;
  }

  public int running() {
    return running.get();
  }

  public int maxRunning() {
    return maxRunning.get();
  }

  public int maxRunningOn(String target) {
    return maxRunningPerTarget.getOrDefault(target, new AtomicInteger()).get();
  }
}

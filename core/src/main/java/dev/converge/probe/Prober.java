package dev.converge.probe;

import dev.converge.driver.Driver;
import dev.converge.driver.Target;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Reads actual state: groups resources by (target, driver) into one batch each, runs the batches in parallel across
 * targets, and serves what the {@link ProbeCache} still holds without asking the host.
 */
public final class Prober {

  /** A probe that failed: every resource of the batch is unknown this round. */
  public record Failure(String target, String kind, String message, List<ResourceId> resources) {}

  /** One batch's size and latency, for metrics and for tests that count round trips. */
  public record BatchStats(String target, String kind, int resources, Duration took) {}

  /** Observations, failures and the batches that produced them. */
  public record Result(Map<ResourceId, Observation> observations, List<Failure> failures, List<BatchStats> batches) {}

  private final Function<String, Target> targets;
  private final Function<Resource, Driver> drivers;
  private final ProbeCache cache;
  private final ExecutorService pool;

  /**
   * @param targets the run's targets by host name
   * @param drivers the driver owning a resource (already checked to exist)
   * @param pool runs batches; its size bounds how many hosts are probed at once
   */
  public Prober(Function<String, Target> targets, Function<Resource, Driver> drivers, ProbeCache cache,
      ExecutorService pool) {
    this.targets = targets;
    this.drivers = drivers;
    this.cache = cache;
    this.pool = pool;
  }

  public Result probe(Collection<Resource> resources) throws InterruptedException {
    Map<ResourceId, Observation> observed = new HashMap<>();
    Map<String, Map<Driver, List<Resource>>> batches = new TreeMap<>();
    for (Resource r : resources) {
      var cached = cache.get(r.id());
      if (cached.isPresent()) {
        observed.put(r.id(), cached.get());
      } else {
        batches.computeIfAbsent(r.target(), t -> new HashMap<>())
            .computeIfAbsent(drivers.apply(r), d -> new ArrayList<>()).add(r);
      }
    }
    List<Future<BatchResult>> futures = new ArrayList<>();
    batches.forEach((target, byDriver) -> byDriver.forEach((driver, batch) -> {
      List<Resource> sorted = batch.stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
      futures.add(pool.submit(() -> runBatch(target, driver, sorted)));
    }));
    List<Failure> failures = new ArrayList<>();
    List<BatchStats> stats = new ArrayList<>();
    for (Future<BatchResult> f : futures) {
      BatchResult r;
      try {
        r = f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("probe task crashed", e.getCause());
      }
      stats.add(r.stats());
      if (r.failure() != null) {
        failures.add(r.failure());
      }
      for (Observation o : r.observations()) {
        observed.put(o.id(), o);
        cache.put(o);
      }
    }
    failures.sort((a, b) -> (a.target() + a.kind()).compareTo(b.target() + b.kind()));
    stats.sort((a, b) -> (a.target() + a.kind()).compareTo(b.target() + b.kind()));
    return new Result(observed, failures, stats);
  }

  private record BatchResult(List<Observation> observations, Failure failure, BatchStats stats) {}

  private BatchResult runBatch(String target, Driver driver, List<Resource> batch) {
    long start = System.nanoTime();
    List<ResourceId> ids = batch.stream().map(Resource::id).toList();
    try {
      List<Observation> seen = driver.probe(targets.apply(target), batch);
      Map<ResourceId, Observation> byId = new HashMap<>();
      seen.forEach(o -> byId.put(o.id(), o));
      List<ResourceId> missing = ids.stream().filter(id -> !byId.containsKey(id)).toList();
      BatchStats stats = new BatchStats(target, driver.kind(), batch.size(), since(start));
      if (!missing.isEmpty()) {
        return new BatchResult(List.of(), new Failure(target, driver.kind(),
            "driver " + driver.kind() + " returned no observation for " + missing.get(0)
                + (missing.size() > 1 ? " and " + (missing.size() - 1) + " more" : ""), ids), stats);
      }
      return new BatchResult(ids.stream().map(byId::get).toList(), null, stats);
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new BatchResult(List.of(), new Failure(target, driver.kind(), message, ids),
          new BatchStats(target, driver.kind(), batch.size(), since(start)));
    }
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}

package dev.converge.driver;

import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Owns one kind of resource on some platforms: reads its actual state in batches and makes it match.
 *
 * <p>Drivers are found with {@link java.util.ServiceLoader}; the engine picks one per resource kind and target
 * platform. Implementations must be thread-safe: the engine probes and applies on many targets at once. Optional
 * capabilities are separate interfaces ({@link Movable}).
 */
public interface Driver {

  /** Matches every platform in {@link #platforms()}. */
  String ANY_PLATFORM = "any";

  /** The resource kind this driver owns, e.g. {@code "file"}. */
  String kind();

  /** The target platforms ({@code linux}, {@code freebsd}) this driver serves; {@link #ANY_PLATFORM} for all. */
  default Set<String> platforms() {
    return Set.of(ANY_PLATFORM);
  }

  /**
   * Reads the actual state of every resource in {@code batch} (all of this driver's kind, all on {@code target})
   * in as few round trips as possible: the engine calls this once per (target, driver) and round. Must return one
   * observation per resource, absent ones included, in the canonical shape of the desired properties.
   */
  List<Observation> probe(Target target, List<Resource> batch) throws ProbeException;

  /** Fields that cannot change in place: a change to one of them makes the engine plan a replace. */
  default Set<String> immutableFields() {
    return Set.of();
  }

  /**
   * Makes one resource match {@code change.desired()}: create, update, replace or delete (desired absent). Must be
   * idempotent, since a run that crashed half-way is healed by simply running again.
   */
  void apply(Target target, Change change) throws ActionException;

  /**
   * Whether a resource that was just changed (or whose dependencies were) is ready for its dependents, e.g. an OSPF
   * router with all neighbours Full. Polled by the engine until ready or {@link #readinessTimeout}.
   */
  default Readiness readiness(Target target, Resource resource) throws ProbeException {
    return Readiness.READY;
  }

  /** How long the engine waits for {@link #readiness} before failing the resource and skipping its dependents. */
  default Duration readinessTimeout(Resource resource) {
    return Duration.ofSeconds(60);
  }
}

package dev.converge.freebsd;

import dev.converge.diff.Differ;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.util.Map;
import java.util.Set;

/** Desired resources and the changes the engine would hand a driver, for the tests. */
final class Resources {

  private Resources() {}

  static Resource present(String kind, String name, Map<String, ?> properties) {
    return Resource.present(ResourceId.of(kind, "h1", name), Properties.of(properties), Location.unknown());
  }

  static Resource absent(String kind, String name) {
    return Resource.absent(ResourceId.of(kind, "h1", name), Location.unknown());
  }

  static java.util.Optional<Change> diff(Resource desired, Observation observed) {
    return Differ.diff(desired, observed, Set.of());
  }

  /** What the engine's diff makes of {@code desired} and the observation: the change apply receives. */
  static Change change(Resource desired, Observation observed) {
    return Differ.diff(desired, observed, Set.of()).orElseThrow(() -> new AssertionError("no change"));
  }
}

package dev.converge.resource;

import java.util.Objects;
import java.util.Optional;

/**
 * What a probe saw of one resource: absent, or present with its actual properties in the same canonical shape the
 * driver uses for the desired ones (so the generic diff compares like with like).
 */
public record Observation(ResourceId id, Optional<Properties> actual) {

  public Observation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(actual, "actual");
  }

  public static Observation absent(ResourceId id) {
    return new Observation(id, Optional.empty());
  }

  public static Observation present(ResourceId id, Properties actual) {
    return new Observation(id, Optional.of(actual));
  }

  public boolean isPresent() {
    return actual.isPresent();
  }
}

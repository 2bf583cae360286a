package dev.converge.resource;

import dev.converge.spec.Location;
import java.util.Objects;

/**
 * One desired resource: what it should look like ({@link Ensure#PRESENT} with its properties) or that it should
 * be gone ({@link Ensure#ABSENT}, which is also how the engine asks a driver to remove a resource that converge
 * created and the spec no longer has). {@code origin} points at the spec text that asked for it.
 */
public record Resource(ResourceId id, Ensure ensure, Properties properties, Location origin) {

  /** Whether a resource should exist. */
  public enum Ensure {
    PRESENT,
    ABSENT
  }

  public Resource {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ensure, "ensure");
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(origin, "origin");
    if (ensure == Ensure.ABSENT && !properties.isEmpty()) {
      throw new IllegalArgumentException("an absent resource has no properties: " + id);
    }
  }

  public static Resource present(ResourceId id, Properties properties, Location origin) {
    return new Resource(id, Ensure.PRESENT, properties, origin);
  }

  public static Resource absent(ResourceId id, Location origin) {
    return new Resource(id, Ensure.ABSENT, Properties.empty(), origin);
  }

  public boolean isPresent() {
    return ensure == Ensure.PRESENT;
  }

  public String kind() {
    return id.kind();
  }

  public String target() {
    return id.target();
  }
}

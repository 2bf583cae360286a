package dev.converge.spec;

import java.util.List;
import java.util.Map;

/**
 * A resource of a kind that a driver brings (built in or from the drivers directory), written as
 * {@code {kind, host, name, properties, requires}} under {@code resources:}. Properties are passed to the driver as
 * canonical values; maps are sorted by key.
 */
public record GenericResource(
    String kind,
    String host,
    String name,
    Location location,
    Map<String, Object> properties,
    boolean absent,
    List<Reference> requires) {

  public GenericResource {
    properties = ImmutableMaps.sorted(properties);
    requires = List.copyOf(requires);
  }
}

package dev.converge.graph;

import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The spec's dependencies go round in a circle: names every resource on every cycle and where it was written. */
public class CycleException extends Exception {

  private final List<List<ResourceId>> cycles;

  CycleException(List<List<ResourceId>> cycles, Map<ResourceId, Resource> resources) {
    super(message(cycles, resources));
    this.cycles = List.copyOf(cycles);
  }

  public List<List<ResourceId>> cycles() {
    return cycles;
  }

  private static String message(List<List<ResourceId>> cycles, Map<ResourceId, Resource> resources) {
    return cycles.stream().map(c -> {
      String chain = c.stream().map(ResourceId::toString).collect(Collectors.joining(" → ")) + " → " + c.get(0);
      String where = c.stream()
          .map(id -> "  " + id + " (" + resources.get(id).origin() + ")")
          .collect(Collectors.joining("\n"));
      return "dependency cycle: " + chain + "\n" + where;
    }).collect(Collectors.joining("\n"));
  }
}

package dev.converge.compile;

import dev.converge.graph.DesiredGraph;
import dev.converge.resource.ResourceId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The output of compile: the desired graph, the IPAM allocations it used (network → owner → address, to record in
 * state when applied), which resources each spec entity ({@code host/web}, {@code file/web:/etc/motd}) expanded
 * into, and notes for the user about parts of the spec that compile to nothing yet.
 */
public record Compilation(
    DesiredGraph graph,
    SortedMap<String, SortedMap<String, String>> allocations,
    Map<String, Set<ResourceId>> entities,
    List<String> notes) {

  public Compilation {
    notes = List.copyOf(notes);
  }
}

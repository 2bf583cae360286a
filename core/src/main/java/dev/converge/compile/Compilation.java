package dev.converge.compile;

import dev.converge.graph.DesiredGraph;
import dev.converge.resource.ResourceId;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The output of compile: the desired graph, the IPAM allocations it used (network → owner → address, to record in
 * state when applied), and which resources each spec entity ({@code host/web}, {@code file/web:/etc/motd}) expanded
 * into.
 */
public record Compilation(
    DesiredGraph graph,
    SortedMap<String, SortedMap<String, String>> allocations,
    Map<String, Set<ResourceId>> entities) {}

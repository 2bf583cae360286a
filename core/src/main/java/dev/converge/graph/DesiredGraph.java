package dev.converge.graph;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.graph.GraphBuilder;
import com.google.common.graph.Graph;
import com.google.common.graph.MutableGraph;
import com.google.common.graph.Traverser;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The compiled spec: every desired resource and the dependency edges between them (edge direction: dependency →
 * dependent). Acyclic by construction — {@link Builder#build()} refuses cycles. Immutable and deterministic: the
 * same resources and edges always give the same {@link #topologicalOrder()}.
 */
public final class DesiredGraph {

  private final ImmutableSortedMap<ResourceId, Resource> resources;
  private final Graph<ResourceId> edges;
  private final List<ResourceId> order;

  private DesiredGraph(ImmutableSortedMap<ResourceId, Resource> resources, Graph<ResourceId> edges,
      List<ResourceId> order) {
    this.resources = resources;
    this.edges = edges;
    this.order = order;
  }

  public static Builder builder() {
    return new Builder();
  }

  public SortedMap<ResourceId, Resource> resources() {
    return resources;
  }

  public Optional<Resource> resource(ResourceId id) {
    return Optional.ofNullable(resources.get(id));
  }

  public int size() {
    return resources.size();
  }

  /** What {@code id} depends on (must be done before it). */
  public Set<ResourceId> dependenciesOf(ResourceId id) {
    return edges.predecessors(id);
  }

  /** What depends on {@code id} (must wait for it). */
  public Set<ResourceId> dependentsOf(ResourceId id) {
    return edges.successors(id);
  }

  /** The edges, dependency → dependent, for renderers and executors. Read-only. */
  public Graph<ResourceId> edges() {
    return edges;
  }

  /** Every resource, dependencies before dependents, ties broken by id: the order plans print in. */
  public List<ResourceId> topologicalOrder() {
    return order;
  }

  /** {@code ids} and everything that depends on them, transitively. */
  public Set<ResourceId> downstreamOf(Collection<ResourceId> ids) {
    List<ResourceId> present = ids.stream().filter(resources::containsKey).toList();
    if (present.isEmpty()) {
      return Set.of();
    }
    Set<ResourceId> reached = new HashSet<>();
    Traverser.forGraph(edges).breadthFirst(present).forEach(reached::add);
    return reached;
  }

  /** Collects resources and edges; edges may name resources added later. */
  public static final class Builder {
    private final Map<ResourceId, Resource> resources = new HashMap<>();
    private final Map<ResourceId, List<ResourceId>> requires = new HashMap<>();

    private Builder() {}

    /** Adds a resource; a second resource with the same id is a programming error of the compiler. */
    public Builder add(Resource r) {
      if (resources.putIfAbsent(r.id(), r) != null) {
        throw new IllegalArgumentException("resource " + r.id() + " compiled twice");
      }
      return this;
    }

    /** Records that {@code dependent} must wait for {@code dependency}. */
    public Builder requires(ResourceId dependent, ResourceId dependency) {
      requires.computeIfAbsent(dependent, k -> new ArrayList<>()).add(dependency);
      return this;
    }

    public boolean contains(ResourceId id) {
      return resources.containsKey(id);
    }

    /**
     * Freezes the graph.
     *
     * @throws CycleException listing every resource on every cycle, with where each was written
     * @throws IllegalArgumentException if an edge names a resource that was never added
     */
    public DesiredGraph build() throws CycleException {
      MutableGraph<ResourceId> g = GraphBuilder.directed().allowsSelfLoops(true)
          .expectedNodeCount(resources.size()).build();
      TreeMap<ResourceId, Resource> sorted = new TreeMap<>(resources);
      sorted.keySet().forEach(g::addNode);
      for (var e : requires.entrySet()) {
        for (ResourceId dependency : e.getValue()) {
          if (!resources.containsKey(dependency) || !resources.containsKey(e.getKey())) {
            throw new IllegalArgumentException("edge " + dependency + " → " + e.getKey() + " names an unknown resource");
          }
          g.putEdge(dependency, e.getKey());
        }
      }
      TopologicalSort.Result<ResourceId> sortedOrder = TopologicalSort.of(g);
      if (!sortedOrder.cycles().isEmpty()) {
        throw new CycleException(sortedOrder.cycles(), sorted);
      }
      // the mutable graph never escapes: exposing it as a read-only Graph spares a 100k-node copy
      return new DesiredGraph(ImmutableSortedMap.copyOfSorted(sorted), g, sortedOrder.order());
    }
  }
}

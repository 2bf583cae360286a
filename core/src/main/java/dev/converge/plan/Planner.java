package dev.converge.plan;

import com.google.common.graph.GraphBuilder;
import com.google.common.graph.Graph;
import com.google.common.graph.MutableGraph;
import dev.converge.diff.Differ;
import dev.converge.driver.Rendering;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.FieldChange;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns desired resources and observations into an ordered {@link Plan}.
 *
 * <p>Ordering: the desired graph's edges, plus, for each resource being deleted, edges recorded in state when it was
 * created — whatever required it goes first (is updated or deleted before it), and among deletions the dependent is
 * removed before its dependency. A delete on one target paired with a create of the same kind and name on another
 * becomes a move when the kind's driver can move.
 */
public final class Planner {

  /**
   * Everything a plan is made from.
   *
   * @param deletions resources to remove: the absent ones converge created that the spec no longer has
   * @param recordedRequires from state: what each managed resource required when it was last applied
   * @param observed one observation per resource that was probed; a resource without one is left out of the plan
   *     (its probe failed, which the engine reports)
   * @param immutableFields per kind, the fields whose change forces a replace
   * @param movable kinds whose driver can move a resource between targets
   * @param rendering the driver of a resource, when it renders resources as text
   * @param digestKey the state's plan key, for keyed change digests
   */
  public record Input(
      String site,
      DesiredGraph desired,
      List<Resource> deletions,
      Map<ResourceId, ? extends Set<ResourceId>> recordedRequires,
      Map<ResourceId, Observation> observed,
      Function<String, Set<String>> immutableFields,
      Predicate<String> movable,
      Function<Resource, Optional<Rendering>> rendering,
      String specDigest,
      String stateLineage,
      long stateSerial,
      byte[] digestKey,
      List<String> notes) {}

  private Planner() {}

  public static Plan plan(Input in) {
    Map<ResourceId, Change> changes = new HashMap<>();
    for (Resource r : in.desired().resources().values()) {
      diff(in, r).ifPresent(c -> changes.put(r.id(), c));
    }
    for (Resource r : in.deletions()) {
      diff(in, r).ifPresent(c -> changes.put(r.id(), c));
    }
    Map<ResourceId, ResourceId> moved = pairMoves(changes, in.movable());

    Graph<ResourceId> dependencies;
    List<Change> ordered;
    if (in.deletions().isEmpty()) {
      dependencies = in.desired().edges();
      ordered = new ArrayList<>(changes.size());
      for (ResourceId id : in.desired().topologicalOrder()) {
        Change c = changes.get(id);
        if (c != null) {
          ordered.add(c);
        }
      }
    } else {
      dependencies = withDeletions(in, moved);
      ordered = order(dependencies, changes);
    }
    SortedMap<String, String> digests = new TreeMap<>();
    Mac mac = mac(in.digestKey());
    for (Change c : ordered) {
      digests.put(c.id().toString(), digest(mac, c));
    }
    Map<ResourceId, List<String>> renderedDiffs = new HashMap<>();
    for (Change c : ordered) {
      renderedDiff(in, c).ifPresent(d -> renderedDiffs.put(c.id(), d));
    }
    return new Plan(in.site(), ordered, dependencies, in.notes(),
        new Fingerprint(in.specDigest(), in.stateLineage(), in.stateSerial(), digests), renderedDiffs);
  }

  /**
   * What a create, update or replace does to the text its driver renders the resource as; empty for a delete, a
   * kind rendered as no text, or properties the driver cannot render (their field changes still show).
   */
  private static Optional<List<String>> renderedDiff(Input in, Change c) {
    Resource desired = c.desired();
    if (!desired.isPresent() || c.type() == ChangeType.MOVE) {
      return Optional.empty();
    }
    return in.rendering().apply(desired).flatMap(r -> {
      try {
        String before = c.observed().actual().map(p -> r.render(desired, p)).orElse("");
        List<String> diff = UnifiedDiff.between(before, r.render(desired, desired.properties()));
        return diff.isEmpty() ? Optional.empty() : Optional.of(diff);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    });
  }

  /**
   * The desired graph plus the resources being deleted, ordered by what state recorded: whatever required a deleted
   * resource goes first, and among deletions the dependent is removed before its dependency. A moved resource stands
   * in for its old id: the image a jail leaves is deleted only once the jail has moved.
   */
  private static Graph<ResourceId> withDeletions(Input in, Map<ResourceId, ResourceId> moved) {
    MutableGraph<ResourceId> g = GraphBuilder.directed().allowsSelfLoops(false).build();
    in.desired().resources().keySet().forEach(g::addNode);
    in.desired().edges().edges().forEach(e -> g.putEdge(e.source(), e.target()));
    Set<ResourceId> deleted = new HashSet<>();
    in.deletions().forEach(d -> {
      g.addNode(d.id());
      deleted.add(d.id());
    });
    in.recordedRequires().forEach((recorded, requires) -> {
      ResourceId dependent = moved.getOrDefault(recorded, recorded);
      for (ResourceId dependency : requires) {
        if (deleted.contains(dependency) && g.nodes().contains(dependent) && !dependent.equals(dependency)) {
          g.putEdge(dependent, dependency);
        }
      }
    });
    return g;
  }

  private static Optional<Change> diff(Input in, Resource r) {
    Observation o = in.observed().get(r.id());
    if (o == null) {
      return Optional.empty();
    }
    return Differ.diff(r, o, in.immutableFields().apply(r.kind()));
  }

  /**
   * A delete and a create of the same kind and name on different targets become one move of the created id. Returns
   * the old id of each moved resource → its new id.
   */
  private static Map<ResourceId, ResourceId> pairMoves(Map<ResourceId, Change> changes, Predicate<String> movable) {
    Map<ResourceId, ResourceId> moved = new HashMap<>();
    Map<String, Change> deletes = new TreeMap<>();
    for (Change c : changes.values()) {
      if (c.type() == ChangeType.DELETE && movable.test(c.id().kind())) {
        deletes.put(c.id().kind() + "\0" + c.id().name(), c);
      }
    }
    if (deletes.isEmpty()) {
      return moved;
    }
    for (Change c : List.copyOf(changes.values())) {
      if (c.type() != ChangeType.CREATE) {
        continue;
      }
      Change gone = deletes.remove(c.id().kind() + "\0" + c.id().name());
      if (gone != null) {
        changes.remove(gone.id());
        changes.put(c.id(), new Change(ChangeType.MOVE, c.desired(), c.observed(), c.fields(),
            Optional.of("`target` changed from " + gone.id().target() + " to " + c.id().target()),
            Optional.of(gone.id().target())));
        moved.put(gone.id(), c.id());
      }
    }
    return moved;
  }

  /** Kahn over the whole dependency graph with a sorted ready queue, keeping only the changed resources. */
  private static List<Change> order(Graph<ResourceId> g, Map<ResourceId, Change> changes) {
    Map<ResourceId, Integer> indegree = new HashMap<>(g.nodes().size() * 2);
    PriorityQueue<ResourceId> ready = new PriorityQueue<>();
    for (ResourceId n : g.nodes()) {
      int d = g.inDegree(n);
      indegree.put(n, d);
      if (d == 0) {
        ready.add(n);
      }
    }
    List<Change> out = new ArrayList<>(changes.size());
    while (!ready.isEmpty()) {
      ResourceId n = ready.poll();
      Change c = changes.get(n);
      if (c != null) {
        out.add(c);
      }
      for (ResourceId s : g.successors(n)) {
        if (indegree.merge(s, -1, Integer::sum) == 0) {
          ready.add(s);
        }
      }
    }
    if (out.size() != changes.size()) {
      throw new IllegalStateException("recorded dependencies form a cycle; state is inconsistent");
    }
    return out;
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static String digest(Mac mac, Change c) {
    StringBuilder sb = new StringBuilder();
    sb.append(c.type()).append('|').append(c.id()).append('|').append(c.fromTarget().orElse("")).append('|');
    sb.append(CanonicalText.of(c.desired().properties().asMap())).append('|');
    sb.append(CanonicalText.of(c.observed().actual().map(p -> (Object) p.asMap()).orElse(null)));
    for (FieldChange f : c.fields()) {
      sb.append('|').append(f.field());
    }
    return HexFormat.of().formatHex(mac.doFinal(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }
}

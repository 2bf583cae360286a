package dev.converge.plan;

import com.google.common.graph.Graph;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.ResourceId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered changes of one run: dependencies before dependents, deletes after whatever used the deleted resource,
 * ties broken by id — so the same spec and state always give a byte-identical plan.
 *
 * @param dependencies dependency → dependent over every resource involved (desired ones and those being deleted);
 *     the executor schedules from it
 * @param notes things the user should know that are not changes ("left in place: converge did not create it")
 * @param renderedDiffs for changes whose driver renders the resource as text ({@link dev.converge.driver.Rendering}):
 *     the unified diff of that text, observed to desired, secrets shown as {@code (sensitive)}
 */
public record Plan(String site, List<Change> changes, Graph<ResourceId> dependencies, List<String> notes,
    Fingerprint fingerprint, Map<ResourceId, List<String>> renderedDiffs) {

  public Plan {
    changes = List.copyOf(changes);
    notes = List.copyOf(notes);
    renderedDiffs = Map.copyOf(renderedDiffs);
  }

  /** The line diff of {@code id}'s rendered text, empty when its driver renders none or nothing differs. */
  public List<String> renderedDiff(ResourceId id) {
    return renderedDiffs.getOrDefault(id, List.of());
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** How many changes of each type, every type present (zero included), in {@link ChangeType} order. */
  public Map<ChangeType, Integer> counts() {
    Map<ChangeType, Integer> counts = new EnumMap<>(ChangeType.class);
    for (ChangeType t : ChangeType.values()) {
      counts.put(t, 0);
    }
    changes.forEach(c -> counts.merge(c.type(), 1, Integer::sum));
    return counts;
  }

  /** {@code Plan: 3 to create, 1 to update, 0 to replace, 1 to delete, 0 to move.} */
  public String summary() {
    Map<ChangeType, Integer> c = counts();
    return "Plan: " + c.get(ChangeType.CREATE) + " to create, " + c.get(ChangeType.UPDATE) + " to update, "
        + c.get(ChangeType.REPLACE) + " to replace, " + c.get(ChangeType.DELETE) + " to delete, "
        + c.get(ChangeType.MOVE) + " to move.";
  }
}

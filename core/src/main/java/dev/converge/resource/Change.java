package dev.converge.resource;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One difference between desired and observed, and the action that removes it. Drivers receive it in
 * {@code apply} and use {@code fields} to do no more than needed (for example chmod without rewriting content).
 *
 * @param desired the resource as the spec wants it ({@link Resource.Ensure#ABSENT} for a delete)
 * @param observed what the last probe saw
 * @param fields the differing fields, sorted by name; empty for create and delete of field-less resources
 * @param reason why a replace or move is needed ("`path` cannot change in place"); empty otherwise
 * @param fromTarget for a move, the target the resource leaves
 */
public record Change(
    ChangeType type,
    Resource desired,
    Observation observed,
    List<FieldChange> fields,
    Optional<String> reason,
    Optional<String> fromTarget) {

  public Change {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(observed, "observed");
    fields = List.copyOf(fields);
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(fromTarget, "fromTarget");
  }

  public ResourceId id() {
    return desired.id();
  }

  public boolean touches(String field) {
    return fields.stream().anyMatch(f -> f.field().equals(field));
  }
}

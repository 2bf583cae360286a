package dev.converge.diff;

import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.FieldChange;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.Sensitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compares one desired resource with what its probe observed, field by field. Only fields the desired resource
 * sets are compared: what the spec does not mention is not managed.
 */
public final class Differ {

  private Differ() {}

  /**
   * The change that makes {@code observed} match {@code desired}, or empty when they already match.
   *
   * @param immutableFields fields of this kind that cannot change in place: differing there means replace
   */
  public static Optional<Change> diff(Resource desired, Observation observed, Set<String> immutableFields) {
    if (!desired.isPresent()) {
      return observed.isPresent()
          ? Optional.of(change(ChangeType.DELETE, desired, observed, List.of(), Optional.empty()))
          : Optional.empty();
    }
    if (observed.actual().isEmpty()) {
      List<FieldChange> fields = desired.properties().asMap().entrySet().stream()
          .map(e -> new FieldChange(e.getKey(), Optional.empty(), Optional.of(e.getValue())))
          .toList();
      return Optional.of(change(ChangeType.CREATE, desired, observed, fields, Optional.empty()));
    }
    List<FieldChange> fields = differingFields(desired.properties(), observed.actual().get());
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    List<String> blocking = fields.stream().map(FieldChange::field).filter(immutableFields::contains).toList();
    if (!blocking.isEmpty()) {
      String reason = blocking.stream().map(f -> "`" + f + "`").collect(Collectors.joining(", "))
          + " cannot change in place";
      return Optional.of(change(ChangeType.REPLACE, desired, observed, fields, Optional.of(reason)));
    }
    return Optional.of(change(ChangeType.UPDATE, desired, observed, fields, Optional.empty()));
  }

  /** The desired fields whose observed value differs (or is missing), in field order. */
  public static List<FieldChange> differingFields(Properties desired, Properties actual) {
    List<FieldChange> out = new ArrayList<>();
    desired.asMap().forEach((field, want) -> {
      Optional<Object> have = actual.get(field);
      if (have.isEmpty() || !sameValue(want, have.get())) {
        out.add(new FieldChange(field, have, Optional.of(want)));
      }
    });
    return out;
  }

  /** Equal values; a sensitive value equals the same plain value (a driver need not know what is secret). */
  private static boolean sameValue(Object want, Object have) {
    return Sensitive.reveal(want).equals(Sensitive.reveal(have));
  }

  private static Change change(ChangeType type, Resource desired, Observation observed, List<FieldChange> fields,
      Optional<String> reason) {
    return new Change(type, desired, observed, fields, reason, Optional.empty());
  }
}

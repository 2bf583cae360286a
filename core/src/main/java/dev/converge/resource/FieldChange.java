package dev.converge.resource;

import java.util.Objects;
import java.util.Optional;

/**
 * One field that differs: its observed value ({@code before}, empty when the resource or field is absent) and
 * the desired one ({@code after}, empty for a delete). Values may be {@link Sensitive}.
 */
public record FieldChange(String field, Optional<Object> before, Optional<Object> after) {

  public FieldChange {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
  }

  public boolean isSensitive() {
    return before.map(Properties::containsSensitive).orElse(false)
        || after.map(Properties::containsSensitive).orElse(false);
  }
}

package dev.converge.resource;

import java.util.Objects;

/**
 * A property value that must never be shown: plans, logs, JSON, state and the journal all print
 * {@code (sensitive)} instead. Equality is by value so that diffs still detect a change.
 */
public record Sensitive(Object value) {

  public static final String REDACTED = "(sensitive)";

  public Sensitive {
    Objects.requireNonNull(value, "value");
    if (value instanceof Sensitive) {
      throw new IllegalArgumentException("nested Sensitive");
    }
  }

  /** The wrapped value for a driver that must use it; never print what this returns. */
  public static Object reveal(Object maybeSensitive) {
    return maybeSensitive instanceof Sensitive s ? s.value() : maybeSensitive;
  }

  @Override
  public String toString() {
    return REDACTED;
  }
}

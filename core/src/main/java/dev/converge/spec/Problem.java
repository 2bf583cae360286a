package dev.converge.spec;

import java.util.Objects;

/**
 * One finding about a spec: where, how bad, and a message that says what was found and what was expected.
 */
public record Problem(Location location, Severity severity, String message) implements Comparable<Problem> {

  /** Errors stop everything; warnings are printed and the run goes on. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
  }

  public static Problem error(Location at, String message) {
    return new Problem(at, Severity.ERROR, message);
  }

  public static Problem warning(Location at, String message) {
    return new Problem(at, Severity.WARNING, message);
  }

  /** Orders by file, line, column, so that problems print in reading order. */
  @Override
  public int compareTo(Problem o) {
    int c = location.file().toString().compareTo(o.location.file().toString());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(location.line(), o.location.line());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(location.column(), o.location.column());
    return c != 0 ? c : message.compareTo(o.message);
  }

  /** {@code file:line:column: error: message}. */
  @Override
  public String toString() {
    return location + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
  }
}

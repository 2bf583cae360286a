package dev.converge.spec;

import java.time.Duration;

/**
 * The duration syntax of the spec, for other places that take durations (command-line options): {@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}, or a whole number of seconds.
 */
public final class Durations {

  private Durations() {}

  /** Parses {@code text}; zero is allowed here ({@code --lock-timeout 0s}: do not wait). */
  public static Duration parse(String text) {
    if (text.matches("0+(ms|s|m|h)?")) {
      return Duration.ZERO;
    }
    try {
      return Conversion.duration().convert(text);
    } catch (Conversion.Invalid e) {
      throw new IllegalArgumentException(e.detail());
    }
  }
}

package dev.converge.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where something was written: a spec file and a 1-based line and column. Errors, plans and cycle reports point
 * here so that a user can jump straight to the text.
 */
public record Location(Path file, int line, int column) {

  private static final Location UNKNOWN = new Location(Path.of("<none>"), 0, 0);

  public Location {
    Objects.requireNonNull(file, "file");
  }

  /** For things built in code rather than read from a file (tests, benchmarks). */
  public static Location unknown() {
    return UNKNOWN;
  }

  public boolean isKnown() {
    return this != UNKNOWN && line > 0;
  }

  /** {@code file:line:column}, with the file relative to the working directory when it lies below it. */
  @Override
  public String toString() {
    if (!isKnown()) {
      return file.toString();
    }
    return display(file) + ":" + line + ":" + column;
  }

  static String display(Path file) {
    Path cwd = Path.of("").toAbsolutePath();
    Path abs = file.toAbsolutePath().normalize();
    return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }
}

package dev.converge.files;

import java.util.Locale;

/**
 * What the observed {@code content} shows when the actual content is not shown as text. Each names the reason, the
 * size and the start of the sha256, for example {@code (binary, 2.3 MiB, sha256 0123456789ab…)}:
 *
 * <ul>
 *   <li>{@code binary}: the file is not valid UTF-8;
 *   <li>{@code too large to show}: the file is over {@link FileDriver#MAX_SHOWN_BYTES} and was not fetched;
 *   <li>{@code unreadable}: the file could not be read, or changed between the probe's two steps;
 *   <li>{@code secret, not fetched}: the desired content is sensitive, so the actual one (likely a secret too) is
 *       never transferred; this one is always wrapped in {@link dev.converge.resource.Sensitive} and has no digest.
 * </ul>
 */
final class Placeholder {

  private static final int DIGEST_CHARS = 12;

  private Placeholder() {}

  static String binary(long size, String sha256) {
    return describe("binary", size, sha256);
  }

  static String tooLarge(long size, String sha256) {
    return describe("too large to show", size, sha256);
  }

  static String unreadable(long size, String sha256) {
    return describe("unreadable", size, sha256);
  }

  static String secret(long size) {
    return "(secret, not fetched, " + size(size) + ")";
  }

  private static String describe(String what, long size, String sha256) {
    return "(" + what + ", " + size(size) + ", sha256 " + sha256.substring(0, DIGEST_CHARS) + "…)";
  }

  /** {@code 512 B}, {@code 1.5 KiB}, {@code 2.3 MiB}, {@code 4.0 GiB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}

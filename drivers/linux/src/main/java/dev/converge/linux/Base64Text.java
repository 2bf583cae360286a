package dev.converge.linux;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * File contents as the probe scripts print them: base64 on one line ({@code base64 -w0}), so that any content fits
 * the line-per-item output formats, and {@code -} for a file that is missing.
 */
final class Base64Text {

  static final String MISSING = "-";

  private Base64Text() {}

  /** The UTF-8 text {@code base64} encodes; {@code what} names the file in the error. */
  static String decode(String base64, String what) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(what + ": expected base64 content, found `" + abbreviate(base64) + "`", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}

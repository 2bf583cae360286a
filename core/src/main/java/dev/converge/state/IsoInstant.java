package dev.converge.state;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * {@link Instant#toString()} and {@link Instant#parse} for the one form the state file uses
 * ({@code 2026-11-22T10:00:00.123Z}), without the general formatter, which costs microseconds per call and so
 * dominates reading and writing 100k resources. Output is identical to {@code Instant.toString()}; anything
 * outside the fast path goes to the JDK.
 */
final class IsoInstant {

  private static final int MAX_FAST_YEAR = 9999;

  private IsoInstant() {}

  static String format(Instant instant) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
    if (t.getYear() < 0 || t.getYear() > MAX_FAST_YEAR) {
      return instant.toString();
    }
    StringBuilder sb = new StringBuilder(30);
    pad(sb, t.getYear(), 4).append('-');
    pad(sb, t.getMonthValue(), 2).append('-');
    pad(sb, t.getDayOfMonth(), 2).append('T');
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2);
    int nanos = instant.getNano();
    if (nanos != 0) {
      // like ISO_INSTANT: as many digits as needed, in groups of three
      sb.append('.');
      if (nanos % 1_000_000 == 0) {
        pad(sb, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        pad(sb, nanos / 1000, 6);
      } else {
        pad(sb, nanos, 9);
      }
    }
    return sb.append('Z').toString();
  }

  /** @throws DateTimeParseException as {@link Instant#parse} does */
  static Instant parse(String text) {
    int n = text.length();
    boolean shaped = n >= 20 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
        && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(n - 1) == 'Z'
        && (n == 20 || (text.charAt(19) == '.' && n <= 30));
    if (shaped) {
      try {
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = 0;
        if (n > 20) {
          nanos = digits(text, 20, n - 1);
          for (int i = n - 1 - 20; i < 9; i++) {
            nanos *= 10;
          }
        }
        if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 && nanos >= 0) {
          long epochSecond = LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
          return Instant.ofEpochSecond(epochSecond, nanos);
        }
      } catch (DateTimeException e) {
        // out of range (hour 24, day 31 of a short month, ...): let the JDK decide and word the error
      }
    }
    return Instant.parse(text);
  }

  /** The decimal number in {@code text[from, to)}, or -1 if any character there is not a digit. */
  private static int digits(String text, int from, int to) {
    if (to <= from) {
      return -1;
    }
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** Appends {@code value}, which is below 10^width, as exactly {@code width} digits. */
  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    int divisor = 1;
    for (int i = 1; i < width; i++) {
      divisor *= 10;
    }
    for (; divisor > 0; divisor /= 10) {
      sb.append((char) ('0' + value / divisor % 10));
    }
    return sb;
  }
}

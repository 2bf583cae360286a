package dev.converge.plan;

import dev.converge.resource.Sensitive;
import java.util.List;
import java.util.Map;

/**
 * A deterministic JSON-like text of canonical property values, for digests. Sensitive values are included in the
 * clear here (the text is only ever hashed with a key, never shown or stored).
 */
final class CanonicalText {

  private CanonicalText() {}

  static String of(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Sensitive s) {
      sb.append("sensitive:");
      write(sb, s.value());
    } else if (v instanceof String s) {
      sb.append('"');
      s.chars().forEach(c -> {
        if (c == '"' || c == '\\') {
          sb.append('\\').append((char) c);
        } else if (c < 0x20) {
          sb.append(String.format("\\u%04x", c));
        } else {
          sb.append((char) c);
        }
      });
      sb.append('"');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, l.get(i));
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : new java.util.TreeMap<>(m).entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else {
      sb.append(v);
    }
  }
}

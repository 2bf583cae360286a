package dev.converge.freebsd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text of a sysctl.conf(5) file as sysctl(8) {@code -f} reads it at boot (rc.d/sysctl): one {@code name=value}
 * per line, whitespace around both trimmed, {@code #} starting a comment. Edits touch only the lines of one name
 * and keep every other line byte for byte.
 */
record SysctlConf(List<String> lines) {

  static final String PATH = "/etc/sysctl.conf.local";

  SysctlConf {
    lines = List.copyOf(lines);
  }

  static SysctlConf parse(String text) {
    return new SysctlConf(text.lines().toList());
  }

  /** The value that boot sets for {@code name}: the last line for it wins, as sysctl -f applies them in order. */
  Optional<String> value(String name) {
    Optional<String> value = Optional.empty();
    for (String line : lines) {
      Optional<String> v = valueOf(line, name);
      if (v.isPresent()) {
        value = v;
      }
    }
    return value;
  }

  /** Sets {@code name}: its first line is replaced and any later ones dropped; appended when there was none. */
  SysctlConf with(String name, String value) {
    List<String> out = new ArrayList<>(lines.size() + 1);
    boolean written = false;
    for (String line : lines) {
      if (valueOf(line, name).isEmpty()) {
        out.add(line);
      } else if (!written) {
        out.add(name + "=" + value);
        written = true;
      }
    }
    if (!written) {
      out.add(name + "=" + value);
    }
    return new SysctlConf(out);
  }

  /** Drops every line of {@code name}. */
  SysctlConf without(String name) {
    return new SysctlConf(lines.stream().filter(l -> valueOf(l, name).isEmpty()).toList());
  }

  String text() {
    return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
  }

  /** Whether sysctl -f would read {@code value} back unchanged from a {@code name=value} line. */
  static boolean canHold(String value) {
    return value.indexOf('#') < 0 && value.strip().equals(value) && !value.isEmpty();
  }

  private static Optional<String> valueOf(String line, String name) {
    int hash = line.indexOf('#');
    String setting = (hash < 0 ? line : line.substring(0, hash)).strip();
    int eq = setting.indexOf('=');
    if (eq < 0 || !setting.substring(0, eq).strip().equals(name)) {
      return Optional.empty();
    }
    return Optional.of(setting.substring(eq + 1).strip());
  }
}

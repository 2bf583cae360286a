package dev.converge.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One key as the sysctl probe prints it, a line per key in order: {@code v TAB LIVE TAB FILE} for a key the kernel
 * has, {@code u TAB TAB FILE} for one it does not; FILE is {@code -} when converge's file for the key is missing,
 * else its content in base64.
 *
 * @param live the normalised live value; empty when the kernel has no such key
 * @param persisted the normalised value of the last assignment to the key in its file; empty when the file is
 *     missing, empty text when the file has no assignment to it
 */
record SysctlState(Optional<String> live, Optional<String> persisted) {

  static List<SysctlState> parse(String output, List<String> keys) {
    List<String> lines = output.lines().toList();
    if (lines.size() != keys.size()) {
      throw new IllegalStateException("expected one line per key (" + keys.size() + "), found " + lines.size());
    }
    List<SysctlState> states = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      String[] f = lines.get(i).split("\t", -1);
      if (f.length != 3 || !(f[0].equals("v") || f[0].equals("u"))) {
        throw new IllegalStateException(keys.get(i) + ": unexpected line `" + lines.get(i) + "`");
      }
      Optional<String> live = f[0].equals("v") ? Optional.of(normalise(f[1])) : Optional.empty();
      Optional<String> persisted = f[2].equals(Base64Text.MISSING) ? Optional.empty()
          : Optional.of(assignment(Base64Text.decode(f[2], SysctlDriver.file(keys.get(i))), keys.get(i)));
      states.add(new SysctlState(live, persisted));
    }
    return states;
  }

  /** Whitespace collapsed to single spaces, none at the ends: how values compare. */
  static String normalise(String value) {
    return value.strip().replaceAll("\\s+", " ");
  }

  /**
   * What the probe reports against {@code want}: {@code want} itself when live and persisted values match it, else
   * the live value with what the file says when that differs.
   */
  String describe(String want) {
    String value = live.orElseThrow();
    String desired = normalise(want);
    if (value.equals(desired) && persisted.filter(desired::equals).isPresent()) {
      return want;
    }
    if (persisted.filter(p -> !p.isEmpty()).isEmpty()) {
      return value + " (not persisted)";
    }
    return persisted.get().equals(value) ? value : value + " (persisted: " + persisted.get() + ")";
  }

  /** The value of the last {@code KEY = VALUE} line of a sysctl.d file (sysctl.d(5): later lines win). */
  private static String assignment(String content, String key) {
    String value = "";
    for (String line : content.lines().toList()) {
      String l = line.strip();
      int eq = l.indexOf('=');
      if (l.startsWith("#") || l.startsWith(";") || eq < 0) {
        continue;
      }
      String k = l.substring(0, eq).strip();
      if (k.startsWith("-")) {
        k = k.substring(1);
      }
      if (k.equals(key) || k.replace('/', '.').equals(key)) {
        value = normalise(l.substring(eq + 1));
      }
    }
    return value;
  }
}

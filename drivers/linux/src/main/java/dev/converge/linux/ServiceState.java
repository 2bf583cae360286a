package dev.converge.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * One service as the service probe prints it: a first line naming the init system ({@code systemd} or {@code sysv}),
 * then per service {@code unknown} or {@code known TAB yes|no TAB yes|no} (enabled, running).
 */
record ServiceState(boolean known, boolean enabled, boolean running) {

  static final ServiceState UNKNOWN = new ServiceState(false, false, false);

  static List<ServiceState> parse(String output, int count) {
    List<String> lines = output.lines().toList();
    if (lines.isEmpty() || !(lines.get(0).equals("systemd") || lines.get(0).equals("sysv"))) {
      throw new IllegalStateException("expected the init system first, found `" + output.strip() + "`");
    }
    if (lines.size() != count + 1) {
      throw new IllegalStateException("expected one line per service (" + count + "), found " + (lines.size() - 1));
    }
    List<ServiceState> states = new ArrayList<>(count);
    for (String line : lines.subList(1, lines.size())) {
      if (line.equals("unknown")) {
        states.add(UNKNOWN);
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 3 || !f[0].equals("known") || !isFlag(f[1]) || !isFlag(f[2])) {
        throw new IllegalStateException("unexpected line `" + line + "`");
      }
      states.add(new ServiceState(true, f[1].equals("yes"), f[2].equals("yes")));
    }
    return states;
  }

  private static boolean isFlag(String s) {
    return s.equals("yes") || s.equals("no");
  }
}

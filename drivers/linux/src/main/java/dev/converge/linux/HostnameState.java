package dev.converge.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A host's names as the hostname probe prints them: {@code live\tNAME}, {@code file\tNAME} (empty when /etc/hostname
 * is missing or empty) and, when /etc/hosts has a {@code 127.0.1.1} line, {@code hosts\tNAME}.
 */
record HostnameState(String live, String file, Optional<String> hosts) {

  static HostnameState parse(String output) {
    String live = null;
    String file = null;
    Optional<String> hosts = Optional.empty();
    for (String line : output.lines().toList()) {
      int tab = line.indexOf('\t');
      String key = tab < 0 ? line : line.substring(0, tab);
      String value = tab < 0 ? "" : line.substring(tab + 1).strip();
      switch (key) {
        case "live" -> live = value;
        case "file" -> file = value;
        case "hosts" -> hosts = Optional.of(value);
        default -> throw new IllegalStateException("unexpected line `" + line + "`");
      }
    }
    if (live == null || file == null) {
      throw new IllegalStateException("expected the running name and /etc/hostname, found `" + output.strip() + "`");
    }
    return new HostnameState(live, file, hosts);
  }

  /** The running name, followed by whatever disagrees with it: {@code vm (/etc/hostname: old)}. */
  String describe() {
    List<String> disagreeing = new ArrayList<>();
    if (!file.equals(live)) {
      disagreeing.add("/etc/hostname: " + (file.isEmpty() ? "(none)" : file));
    }
    hosts.filter(h -> !h.equals(live)).ifPresent(h -> disagreeing.add("/etc/hosts 127.0.1.1: " + h));
    return disagreeing.isEmpty() ? live : live + " (" + String.join(", ", disagreeing) + ")";
  }
}

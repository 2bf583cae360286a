package dev.converge.dns.bind;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the dns-zone probe saw on a server: whether named runs, whether converge's fragment is included, the
 * fragment, a SHA-256 digest of each key file (never the key itself) and which zone files exist.
 *
 * <p>The probe prints {@code named running|stopped}, {@code include yes|no}, then {@code zones.conf} followed by
 * the fragment's lines each prefixed {@code "| "} (when the file exists), {@code key NAME HEX} per key file and
 * {@code zonefile ZONE yes|no} per zone asked about.
 */
record BindState(boolean running, boolean included, ZonesConf zones, Map<String, String> keyDigests,
    Set<String> zoneFiles) {

  BindState {
    keyDigests = Map.copyOf(keyDigests);
    zoneFiles = Set.copyOf(zoneFiles);
  }

  /** @throws IllegalStateException naming the line that does not fit the format */
  static BindState parse(String output) {
    Boolean running = null;
    Boolean included = null;
    StringBuilder conf = new StringBuilder();
    Map<String, String> keys = new TreeMap<>();
    Set<String> zoneFiles = new TreeSet<>();
    for (String line : output.lines().toList()) {
      if (line.startsWith("| ") || line.equals("|")) {
        conf.append(line.length() > 2 ? line.substring(2) : "").append('\n');
        continue;
      }
      String[] f = line.split(" ", -1);
      switch (f[0]) {
        case "named" -> running = flag(f, "running", "stopped", line);
        case "include" -> included = flag(f, "yes", "no", line);
        case "zones.conf" -> { }
        case "key" -> {
          if (f.length != 3 || !f[2].matches("[0-9a-f]{64}")) {
            throw new IllegalStateException("unexpected line `" + line + "`");
          }
          keys.put(f[1], f[2]);
        }
        case "zonefile" -> {
          if (f.length != 3) {
            throw new IllegalStateException("unexpected line `" + line + "`");
          }
          if (flag(new String[] {f[0], f[2]}, "yes", "no", line)) {
            zoneFiles.add(f[1]);
          }
        }
        default -> throw new IllegalStateException("unexpected line `" + line + "`");
      }
    }
    if (running == null || included == null) {
      throw new IllegalStateException("expected `named running|stopped` and `include yes|no`, found `"
          + output.strip() + "`");
    }
    return new BindState(running, included, ZonesConf.parse(conf.toString()), keys, zoneFiles);
  }

  private static boolean flag(String[] f, String yes, String no, String line) {
    if (f.length != 2 || !(f[1].equals(yes) || f[1].equals(no))) {
      throw new IllegalStateException("unexpected line `" + line + "`");
    }
    return f[1].equals(yes);
  }
}

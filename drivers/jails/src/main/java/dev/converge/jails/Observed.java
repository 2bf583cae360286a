package dev.converge.jails;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A jail's observed properties, in the shape of the desired ones: the record of what was applied, corrected by
 * every live fact the probe read. The image digest, packages and resolv.conf are read only when the desired resource
 * has them (the diff compares only desired fields): a pinned jail is never compared with its image, packages are
 * looked up by the desired names.
 */
final class Observed {

  private Observed() {}

  static Properties of(Seen seen, Resource desired) {
    Map<String, Object> record = seen.record().orElseThrow().properties();
    Map<String, Object> wanted = desired.properties().asMap();
    Map<String, Object> out = new TreeMap<>();
    String root = "/var/lib/jails/" + seen.name() + "/root";
    copy(record, out, "image");
    copy(record, out, "runtime");
    copy(record, out, "start");
    if (wanted.containsKey("image-digest")) {
      out.put("image-digest", seen.markerDigest().orElse("(no marked image build at "
          + seen.record().get().imageDir() + ")"));
    }
    out.put("network", network(seen, record.get("network")));
    Object hostname = seen.running() && seen.liveHostname().isPresent() ? seen.liveHostname().get()
        : record.get("hostname");
    if (hostname != null) {
      out.put("hostname", hostname);
    }
    out.put("mounts", mounts(seen, root, record.get("mounts")));
    out.put("users", users(seen, wanted.get("users"), record.get("users")));
    if (wanted.containsKey("packages")) {
      Set<String> installed = seen.installed().orElse(Set.of());
      out.put("packages", list(wanted.get("packages")).stream().filter(installed::contains).toList());
    }
    if (wanted.containsKey("resolv-conf")) {
      Optional.ofNullable(seen.files().get("etc/resolv.conf")).ifPresent(t -> out.put("resolv-conf", t));
    }
    boolean withStart = record.containsKey("start") || wanted.containsKey("start");
    out.put("running", withStart ? seen.running() : seen.namespace());
    return Properties.of(out);
  }

  private static Object network(Seen seen, Object recorded) {
    if (!seen.namespace() || seen.address().isEmpty()) {
      return "(no network namespace cj-" + seen.name() + " with an address)";
    }
    Map<String, Object> n = new TreeMap<>();
    if (recorded instanceof Map<?, ?> m) {
      m.forEach((k, v) -> n.put(String.valueOf(k), v));
    }
    String[] address = seen.address().get().split("/");
    n.put("address", address[0]);
    n.put("prefix", Long.parseLong(address[1]));
    n.put("gateway", seen.gateway().orElse("(no default route)"));
    return n;
  }

  private static List<Object> mounts(Seen seen, String root, Object recorded) {
    List<Object> out = new ArrayList<>();
    for (Object o : list(recorded)) {
      if (!(o instanceof Map<?, ?> m)) {
        continue;
      }
      String options = seen.mounts().get(root + m.get("target"));
      if (options == null) {
        continue;
      }
      boolean readOnly = List.of(options.split(",")).contains("ro");
      Map<String, Object> mount = new TreeMap<>();
      m.forEach((k, v) -> mount.put(String.valueOf(k), v));
      if (readOnly || m.containsKey("read-only")) {
        mount.put("read-only", readOnly);
      }
      out.add(mount);
    }
    return out;
  }

  private static Map<String, Object> users(Seen seen, Object wanted, Object recorded) {
    Map<String, Map<?, ?>> shapes = new LinkedHashMap<>();
    if (recorded instanceof Map<?, ?> r) {
      r.forEach((k, v) -> shapes.put(String.valueOf(k), v instanceof Map<?, ?> m ? m : Map.of()));
    }
    if (wanted instanceof Map<?, ?> w) {
      w.forEach((k, v) -> shapes.put(String.valueOf(k), v instanceof Map<?, ?> m ? m : Map.of()));
    }
    Map<String, String[]> passwd = new LinkedHashMap<>();
    seen.files().getOrDefault("etc/passwd", "").lines().map(l -> l.split(":", -1)).filter(f -> f.length >= 7)
        .forEach(f -> passwd.putIfAbsent(f[0], f));
    Map<String, Object> out = new TreeMap<>();
    for (String name : new LinkedHashSet<>(shapes.keySet())) {
      String[] entry = passwd.get(name);
      if (entry == null) {
        continue;
      }
      Map<?, ?> shape = shapes.get(name);
      Map<String, Object> user = new TreeMap<>();
      Seen.Keys keys = seen.keys().get(name);
      if (keys != null) {
        String expected = "600 " + entry[2] + " " + entry[3];
        user.put("ssh-key", keys.text().strip() + (keys.stat().equals(expected) ? ""
            : " (authorized_keys has mode, uid, gid " + keys.stat() + ", expected " + expected + ")"));
      }
      String sudoers = seen.sudoers().get(name);
      if (sudoers != null) {
        user.put("sudo", sudoers.equals("440 0 0") ? (Object) true
            : "(sudoers file has mode, uid, gid " + sudoers + ", expected 440 0 0)");
      } else if (shape.containsKey("sudo")) {
        user.put("sudo", false);
      }
      if (shape.containsKey("uid")) {
        user.put("uid", Long.parseLong(entry[2]));
      }
      if (shape.containsKey("gid")) {
        user.put("gid", Long.parseLong(entry[3]));
      }
      out.put(name, user);
    }
    return out;
  }

  private static void copy(Map<String, Object> from, Map<String, Object> to, String field) {
    Object v = from.get(field);
    if (v != null) {
      to.put(field, v);
    }
  }

  private static List<?> list(Object v) {
    return v instanceof List<?> l ? l : List.of();
  }
}

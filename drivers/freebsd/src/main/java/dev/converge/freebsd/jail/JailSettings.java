package dev.converge.freebsd.jail;

import com.google.common.net.InetAddresses;
import dev.converge.images.ImageStore;
import dev.converge.resource.Properties;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The desired properties of one {@code jail} resource, checked before anything reaches a host: every value that ends
 * up in jail.conf, an fstab line or an argv is validated here, so a bad one changes nothing.
 */
record JailSettings(
    String name,
    String image,
    Optional<String> imageDigest,
    Network network,
    String hostname,
    Optional<String> start,
    List<Mount> mounts,
    Map<String, JailUser> users,
    List<String> packages,
    Optional<String> resolvConf) {

  /** Jail names become file names, jail(8) names and dataset names: no dots (jail hierarchy), no slashes. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern HOSTNAME =
      Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
          + "[A-Za-z0-9])?)*");
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,14}");
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  private static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+@/-]{0,127}");
  /** Paths go into fstab(5), whose fields are separated by blanks, and into jail.conf: printable, no blanks. */
  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e&&[^#\"\\\\$]]{0,1023}");
  private static final long MAX_ID = 2147483647L;

  /** The jail's network as compile resolved it. */
  record Network(String name, Kind kind, String iface, String address, int prefix, String gateway) {

    enum Kind { LOOPBACK, BRIDGE }

    /** The canonical property map, as compile emits it. */
    Map<String, Object> asMap() {
      Map<String, Object> m = new TreeMap<>();
      m.put("name", name);
      m.put("kind", kind.name().toLowerCase());
      m.put("interface", iface);
      m.put("address", address);
      m.put("prefix", (long) prefix);
      m.put("gateway", gateway);
      return m;
    }
  }

  /** A host directory mounted into the jail with nullfs. */
  record Mount(String source, String target, boolean readOnly) {}

  /**
   * A user inside the jail: a provision user with keys and sudo, or a devel user with fixed ids. {@code sshKey} is
   * the authorized_keys text: one key per line, each line ending in a newline.
   */
  record JailUser(Optional<String> sshKey, boolean sudo, Optional<Long> uid, Optional<Long> gid) {}

  /** The checked settings of jail {@code name} on {@code host}; the message names both and the bad value. */
  static JailSettings of(String host, String name, Properties p) {
    Check c = new Check("jail `" + name + "` on " + host);
    if (!isName(name)) {
      throw c.fail("not a jail name (expected letters, digits, `_` and `-`, starting with a letter or digit, at most "
          + "63 characters)");
    }
    String image = c.matching(p, "image", IMAGE);
    Optional<String> digest = p.string("image-digest");
    digest.ifPresent(d -> {
      try {
        ImageStore.id(d);
      } catch (IllegalArgumentException e) {
        throw c.fail("image-digest: " + e.getMessage());
      }
    });
    Network network = network(c, p.get("network").orElseThrow(() -> c.fail("network is missing")));
    String hostname = c.matching(p, "hostname", HOSTNAME);
    Optional<String> start = p.string("start").map(s -> c.line("start", s));
    List<Mount> mounts = new ArrayList<>();
    for (Object m : c.list(p.get("mounts").orElse(List.of()), "mounts")) {
      Map<?, ?> map = c.map(m, "a mount");
      mounts.add(new Mount(c.path(map.get("source"), "mount source"), c.path(map.get("target"), "mount target"),
          Boolean.TRUE.equals(map.get("read-only"))));
    }
    Map<String, JailUser> users = new TreeMap<>();
    c.map(p.get("users").orElse(Map.of()), "users").forEach((k, v) -> {
      String user = String.valueOf(k);
      if (!USER.matcher(user).matches()) {
        throw c.fail("`" + user + "` in users is not a user name");
      }
      Map<?, ?> u = c.map(v, "user `" + user + "`");
      Optional<String> key = Optional.ofNullable(u.get("ssh-key")).map(s -> c.keys(user, String.valueOf(s)));
      users.put(user, new JailUser(key, Boolean.TRUE.equals(u.get("sudo")), c.id(u.get("uid"), user),
          c.id(u.get("gid"), user)));
    });
    List<String> packages = new ArrayList<>();
    for (Object pkg : c.list(p.get("packages").orElse(List.of()), "packages")) {
      String s = String.valueOf(pkg);
      if (!PACKAGE.matcher(s).matches()) {
        throw c.fail("`" + s + "` in packages is not a package name");
      }
      packages.add(s);
    }
    Optional<String> resolv = p.string("resolv-conf");
    resolv.filter(r -> r.chars().anyMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t')).ifPresent(r -> {
      throw c.fail("resolv-conf contains control characters");
    });
    return new JailSettings(name, image, digest, network, hostname, start, List.copyOf(mounts), Map.copyOf(users),
        List.copyOf(packages), resolv);
  }

  private static Network network(Check c, Object value) {
    Map<?, ?> n = c.map(value, "network");
    String kindText = String.valueOf(n.get("kind"));
    Network.Kind kind = switch (kindText) {
      case "loopback" -> Network.Kind.LOOPBACK;
      case "bridge" -> Network.Kind.BRIDGE;
      default -> throw c.fail("network kind `" + kindText + "`: expected loopback or bridge");
    };
    String iface = String.valueOf(n.get("interface"));
    if (!INTERFACE.matcher(iface).matches()) {
      throw c.fail("network interface `" + iface + "` is not an interface name");
    }
    String address = c.ipv4(n.get("address"), "network address");
    String gateway = c.ipv4(n.get("gateway"), "network gateway");
    if (!(n.get("prefix") instanceof Long prefix) || prefix < 1 || prefix > 32) {
      throw c.fail("network prefix `" + n.get("prefix") + "`: expected a number from 1 to 32");
    }
    if (kind == Network.Kind.LOOPBACK && prefix != 32) {
      throw c.fail("network prefix " + prefix + " on a loopback network: the jail owns a /32 there");
    }
    return new Network(String.valueOf(n.get("name")), kind, iface, address, prefix.intValue(), gateway);
  }

  /** Whether {@code name} can name a jail: a file name, a jail(8) name and a dataset name. */
  static boolean isName(String name) {
    return NAME.matcher(name).matches();
  }

  /** The jail's directory: its record and its root. */
  String directory() {
    return ImageStore.FREEBSD_JAILS + "/" + name;
  }

  String root() {
    return directory() + "/root";
  }

  String record() {
    return directory() + "/" + ImageStore.JAIL_RECORD;
  }

  /** Validation with one message prefix. */
  private record Check(String where) {

    IllegalArgumentException fail(String what) {
      return new IllegalArgumentException(where + ": " + what);
    }

    String matching(Properties p, String field, Pattern pattern) {
      String v = p.string(field).orElseThrow(() -> fail(field + " is missing"));
      if (!pattern.matcher(v).matches()) {
        throw fail(field + " `" + printable(v) + "` is not valid (expected " + pattern.pattern() + ")");
      }
      return v;
    }

    String line(String field, String v) {
      if (v.isBlank() || v.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        throw fail(field + " `" + printable(v) + "` must be one non-empty line without control characters");
      }
      return v;
    }

    /** Key lines (compile joins a key file's lines with newlines), each checked, as authorized_keys text. */
    String keys(String user, String text) {
      List<String> lines = text.lines().toList();
      if (lines.isEmpty()) {
        throw fail("ssh-key of " + user + " is empty");
      }
      for (String l : lines) {
        line("ssh-key of " + user, l);
      }
      return String.join("\n", lines) + "\n";
    }

    String path(Object v, String what) {
      String s = String.valueOf(v);
      if (!PATH.matcher(s).matches() || s.contains("/../") || s.endsWith("/..")) {
        throw fail(what + " `" + printable(s) + "` must be an absolute path of printable characters without "
            + "blanks, `#`, `\"`, `\\`, `$` or `..`");
      }
      return s;
    }

    String ipv4(Object v, String what) {
      String s = String.valueOf(v);
      if (!InetAddresses.isInetAddress(s) || !(InetAddresses.forString(s) instanceof Inet4Address)) {
        throw fail(what + " `" + printable(s) + "` is not an IPv4 address");
      }
      InetAddress a = InetAddresses.forString(s);
      return InetAddresses.toAddrString(a);
    }

    Optional<Long> id(Object v, String user) {
      if (v == null) {
        return Optional.empty();
      }
      if (!(v instanceof Long l) || l < 0 || l > MAX_ID) {
        throw fail("user `" + user + "`: id `" + v + "` is not a number from 0 to " + MAX_ID);
      }
      return Optional.of(l);
    }

    List<?> list(Object v, String what) {
      if (!(v instanceof List<?> l)) {
        throw fail(what + " must be a list");
      }
      return l;
    }

    Map<?, ?> map(Object v, String what) {
      if (!(v instanceof Map<?, ?> m)) {
        throw fail(what + " must be a map");
      }
      return m;
    }

    /** A value for a message, with control characters visible. */
    private static String printable(String v) {
      return v.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
  }
}

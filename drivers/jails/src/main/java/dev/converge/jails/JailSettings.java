package dev.converge.jails;

import dev.converge.images.ImageStore;
import dev.converge.spec.Jail;
import dev.converge.resource.Properties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A jail's desired properties (the contract of issue 6), checked: every value that reaches a host command is of the
 * form it must have, so that a bad spec fails with a message naming the jail before anything changes.
 *
 * @param name the jail's name
 * @param image the image's name
 * @param imageDigest the image digest the jail follows; empty when the jail is pinned to the build it has
 * @param network where its address lives
 * @param hostname the hostname inside the jail
 * @param start the command run as {@code /bin/sh -c START} inside; empty for none
 * @param mounts host paths bound into the root
 * @param users accounts provisioned inside, by name
 * @param packages Debian packages installed inside
 * @param resolvConf the jail's /etc/resolv.conf; empty to leave the image's
 * @param runtime {@code netns} (unshare and chroot) or {@code nspawn} (systemd-nspawn)
 */
record JailSettings(String name, String image, Optional<String> imageDigest, Network network, String hostname,
    Optional<String> start, List<Mount> mounts, List<Account> users, List<String> packages,
    Optional<String> resolvConf, String runtime) {

  static final String NETNS = "netns";
  static final String NSPAWN = "nspawn";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");
  private static final Pattern HOSTNAME = Pattern.compile(
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern ACCOUNT = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?");
  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_.@+-]+)+");
  private static final Pattern KEY = Pattern.compile("[^\\r\\n]+");

  /** The jail's network: the contract's {@code network} map. */
  record Network(String name, String kind, String iface, String address, long prefix, String gateway) {}

  /** A host path bound at {@code target} inside the root. */
  record Mount(String source, String target, boolean readOnly) {}

  /** An account inside the jail; {@code uid}/{@code gid} only when given (development mode). */
  record Account(String name, Optional<String> sshKey, boolean sudo, Optional<Long> uid, Optional<Long> gid) {}

  /**
   * Reads and checks {@code properties} of jail {@code name}.
   *
   * @throws IllegalArgumentException naming the field, what was found and what is expected
   */
  static JailSettings of(String name, Properties properties) {
    requireName(name);
    Map<String, Object> p = properties.asMap();
    String image = require(NAME, text(p, "image"), "`image`", "an image name");
    Optional<String> digest = Optional.ofNullable((String) p.get("image-digest"));
    digest.ifPresent(ImageStore::id);
    Map<?, ?> net = map(p.get("network"), "`network`");
    String kind = text(net, "kind");
    if (!kind.equals("loopback") && !kind.equals("bridge")) {
      throw new IllegalArgumentException("`network.kind` is `" + kind + "`, expected loopback or bridge");
    }
    long prefix = net.get("prefix") instanceof Long l ? l : 32L;
    if (prefix < 1 || prefix > 32 || (kind.equals("loopback") && prefix != 32)) {
      throw new IllegalArgumentException("`network.prefix` is " + prefix + ", expected 32 on a loopback network"
          + " and 1..32 on a bridge");
    }
    Network network = new Network(text(net, "name"), kind,
        require(INTERFACE, text(net, "interface"), "`network.interface`", "an interface name"),
        require(IPV4, text(net, "address"), "`network.address`", "an IPv4 address"), prefix,
        require(IPV4, text(net, "gateway"), "`network.gateway`", "an IPv4 address"));
    String hostname = require(HOSTNAME, Optional.ofNullable((String) p.get("hostname")).orElse(name), "`hostname`",
        "a host name");
    List<Mount> mounts = new ArrayList<>();
    for (Object o : list(p.get("mounts"), "`mounts`")) {
      Map<?, ?> m = map(o, "an entry of `mounts`");
      mounts.add(new Mount(path(text(m, "source"), "mount source"), path(text(m, "target"), "mount target"),
          Boolean.TRUE.equals(m.get("read-only"))));
    }
    List<Account> users = new ArrayList<>();
    Object u = p.get("users");
    if (u != null) {
      for (Map.Entry<?, ?> e : map(u, "`users`").entrySet()) {
        String account = requireAccount(String.valueOf(e.getKey()));
        Map<?, ?> a = map(e.getValue(), "user `" + account + "`");
        Optional<String> key = Optional.ofNullable((String) a.get("ssh-key")).map(String::strip);
        key.ifPresent(k -> require(KEY, k, "the ssh-key of user `" + account + "`", "one line of public key text"));
        users.add(new Account(account, key, Boolean.TRUE.equals(a.get("sudo")), id(a.get("uid"), "uid", account),
            id(a.get("gid"), "gid", account)));
      }
    }
    List<String> packages = new ArrayList<>();
    for (Object o : list(p.get("packages"), "`packages`")) {
      packages.add(require(PACKAGE, String.valueOf(o), "a package of `packages`", "a Debian package name"));
    }
    String runtime = Optional.ofNullable((String) p.get("runtime")).orElse(NETNS);
    if (!runtime.equals(NETNS) && !runtime.equals(NSPAWN)) {
      throw new IllegalArgumentException("`runtime` is `" + runtime + "`, expected netns or nspawn");
    }
    JailSettings jail = new JailSettings(name, image, digest, network, hostname,
        Optional.ofNullable((String) p.get("start")), List.copyOf(mounts), List.copyOf(users), List.copyOf(packages),
        Optional.ofNullable((String) p.get("resolv-conf")), runtime);
    if (runtime.equals(NSPAWN)) {
      NspawnSettings.render(jail);
    }
    return jail;
  }

  /** {@code name}, if it is a valid jail name. */
  static String requireName(String name) {
    return require(NAME, name, "the jail name", "letters, digits, `_` and `-`, at most 63");
  }

  /** {@code name}, if it is a valid account name. */
  static String requireAccount(String name) {
    return require(ACCOUNT, name, "a user name", "lower-case letters, digits, `_`, `-`");
  }

  /** {@code /var/lib/jails/NAME}. */
  String directory() {
    return ImageStore.LINUX_JAILS + "/" + name;
  }

  String root() {
    return directory() + "/root";
  }

  /** The host side of the veth pair: {@code vj-NAME}, or {@code vj-} + 8 characters + 4 hex of a hash past 15. */
  String veth() {
    return veth(name);
  }

  static String veth(String name) {
    return Jail.linkInterface(name);
  }

  private static String text(Map<?, ?> map, String field) {
    Object v = map.get(field);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("`" + field + "` is missing or not text");
    }
    return s;
  }

  private static Map<?, ?> map(Object v, String what) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(what + " is not a map");
    }
    return m;
  }

  private static List<?> list(Object v, String what) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException(what + " is not a list");
    }
    return l;
  }

  private static Optional<Long> id(Object v, String field, String account) {
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof Long l) || l < 0 || l > 65534) {
      throw new IllegalArgumentException("the " + field + " of user `" + account + "` is `" + v
          + "`, expected a number from 0 to 65534");
    }
    return Optional.of(l);
  }

  private static String path(String p, String what) {
    if (!PATH.matcher(p).matches() || !Path.of(p).normalize().toString().equals(p) || p.contains("/../")
        || p.endsWith("/..") || p.contains("/./")) {
      throw new IllegalArgumentException("the " + what + " `" + p + "` is not an absolute, normalised path of"
          + " letters, digits and `_.@+-`");
    }
    return p;
  }

  private static String require(Pattern pattern, String value, String what, String expected) {
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " is `" + value + "`, expected " + expected);
    }
    return value;
  }
}

package dev.converge.lab;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names of everything one lab makes on the machine, all derived from the site and the state directory so that a
 * lab can be found and removed from them alone.
 *
 * <ul>
 *   <li>{@link #prefix()} {@code cv-<site>-<id>}: network namespaces {@code cv-<site>-<id>-<host>}, the runtime
 *       directory {@code /run/converge-lab/cv-<site>-<id>};
 *   <li>{@code cv<id>}: the bridge, and {@code cv<id>-...} the root-side ends of the management veths (Linux
 *       interface names have at most 15 characters, so the site cannot be part of them).
 * </ul>
 *
 * <p>{@code id} is 4 hex digits of SHA-256 over the site and the absolute state directory: two specs of one site in
 * different directories get different labs.
 *
 * @param site the spec's site name
 * @param id 4 lowercase hex digits
 */
record LabNames(String site, String id) {

  /** Site and host names as the spec loader accepts them; they end up in file and namespace names. */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  /** Inside each host, the management veth's name. */
  static final String MANAGEMENT_INTERFACE = "mgmt0";
  private static final int IFNAMSIZ = 15;
  private static final int SHORT_HOST = 8;

  LabNames {
    requireIdentifier("site", site);
  }

  static LabNames of(String site, Path stateDir) {
    String key = site + "\n" + stateDir.toAbsolutePath().normalize();
    return new LabNames(site, hex(key).substring(0, 4));
  }

  String prefix() {
    return "cv-" + site + "-" + id;
  }

  String netns(String host) {
    requireIdentifier("host", host);
    return prefix() + "-" + host;
  }

  /** The host a namespace of this lab belongs to, if {@code netns} is one of this lab's. */
  Optional<String> hostOfNetns(String netns) {
    String start = prefix() + "-";
    if (!netns.startsWith(start)) {
      return Optional.empty();
    }
    String host = netns.substring(start.length());
    return IDENTIFIER.matcher(host).matches() ? Optional.of(host) : Optional.empty();
  }

  String bridge() {
    return "cv" + id;
  }

  /** How the bridge is labelled ({@code ip link set ... alias}), to tell this lab's bridge from another lab's. */
  String bridgeAlias() {
    return "converge-lab " + prefix();
  }

  /**
   * The root-side end of {@code host}'s management veth: {@code cv<id>-<host>} when the host name has at most 8
   * characters, else {@code cv<id>-<first 3>.<4 hex of its hash>} (a dot cannot occur in a host name, so the two
   * forms never meet).
   */
  String managementVeth(String host) {
    requireIdentifier("host", host);
    String tail = host.length() <= SHORT_HOST ? host : host.substring(0, 3) + "." + hex(host).substring(0, 4);
    String name = bridge() + "-" + tail;
    if (name.length() > IFNAMSIZ) {
      throw new IllegalStateException("interface name longer than " + IFNAMSIZ + ": " + name);
    }
    return name;
  }

  /**
   * The hardware address of the host's management interface: {@code 02} (locally administered), the lab's id, then
   * the last three bytes of its management address. A host made again gets its old address back, and with it its
   * old MAC, so that neighbour caches (the root namespace's, the other hosts') are not left pointing at a dead
   * interface for the half minute it takes them to notice.
   */
  String managementMac(InetAddress address) {
    byte[] a = address.getAddress();
    return String.format("02:%s:%s:%02x:%02x:%02x", id.substring(0, 2), id.substring(2, 4), a[a.length - 3] & 0xff,
        a[a.length - 2] & 0xff, a[a.length - 1] & 0xff);
  }

  /** Where the hosts' writable layers live (not in the state directory: see {@link RuntimeDirectory}). */
  Path runtimeDirectory(Path runtimeRoot) {
    return runtimeRoot.resolve(prefix());
  }

  private static void requireIdentifier(String what, String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new LabException("the lab cannot use the " + what + " name `" + name + "`: expected letters, digits,"
          + " `-` and `_`, starting with a letter or digit, at most 63 characters");
    }
  }

  private static String hex(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

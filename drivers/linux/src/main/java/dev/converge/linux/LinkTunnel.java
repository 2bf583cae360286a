package dev.converge.linux;

import com.google.common.net.InetAddresses;
import dev.converge.driver.Command;
import dev.converge.resource.Sensitive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tunnel a link interface is built as ({@code tunnel} of {@code interface/HOST:IF}): {@code gre} between the
 * hosts' addresses, or {@code wireguard} with one peer. Checks the desired map, renders the commands that make and
 * fix it, and turns what the probe saw back into the same map.
 *
 * @param wireguard the WireGuard half; empty for GRE
 */
record LinkTunnel(String kind, String local, String remote, Optional<WireGuard> wireguard) {

  static final String GRE = "gre";
  static final String WIREGUARD = "wireguard";
  /** GRE keeps its TTL fixed (not inherited from the inner packet), as the kernel needs for keepalives to work. */
  static final String GRE_TTL = "255";
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=");

  /**
   * WireGuard's part.
   *
   * @param privateKey this end's key, only ever given to {@code wg} on standard input
   */
  record WireGuard(long listenPort, long peerPort, Sensitive privateKey, String peerPublicKey,
      List<String> allowedIps) {}

  /**
   * The tunnel a desired {@code tunnel} map asks for.
   *
   * @throws IllegalArgumentException naming {@code what} and the field when the map is not a tunnel converge makes
   */
  static LinkTunnel of(Map<?, ?> map, String what) {
    String kind = text(map, "kind", what);
    String local = address(map, "local", what);
    String remote = address(map, "remote", what);
    if (kind.equals(GRE)) {
      return new LinkTunnel(kind, local, remote, Optional.empty());
    }
    if (!kind.equals(WIREGUARD)) {
      throw new IllegalArgumentException(what + ": found tunnel kind `" + kind + "`, expected gre or wireguard");
    }
    if (!(map.get("private-key") instanceof Sensitive key) || !(key.value() instanceof String)) {
      throw new IllegalArgumentException(what + ": expected the tunnel's private-key as a secret");
    }
    String peer = text(map, "peer-public-key", what);
    if (!KEY.matcher(peer).matches()) {
      throw new IllegalArgumentException(what + ": found peer-public-key `" + peer + "`, expected a WireGuard"
          + " public key");
    }
    List<String> allowed = new ArrayList<>();
    if (map.get("allowed-ips") instanceof List<?> list) {
      for (Object a : list) {
        allowed.add(InterfaceAddress.parse(String.valueOf(a)).toString());
      }
    }
    return new LinkTunnel(kind, local, remote, Optional.of(new WireGuard(port(map, "listen-port", what),
        port(map, "peer-port", what), key, peer, List.copyOf(allowed))));
  }

  /** The desired map again, in canonical form: what the probe reports when the interface is as wanted. */
  SortedMap<String, Object> asMap() {
    SortedMap<String, Object> m = new TreeMap<>();
    m.put("kind", kind);
    m.put("local", local);
    m.put("remote", remote);
    wireguard.ifPresent(w -> {
      m.put("listen-port", w.listenPort());
      m.put("peer-port", w.peerPort());
      m.put("private-key", w.privateKey());
      m.put("peer-public-key", w.peerPublicKey());
      m.put("allowed-ips", w.allowedIps());
    });
    return m;
  }

  /** {@code ip link add}: the interface, not yet configured (WireGuard) or fully (GRE). */
  Command create(String name) {
    return kind.equals(GRE)
        ? Command.of("ip", "link", "add", name, "type", GRE, "local", local, "remote", remote, "ttl", GRE_TTL)
        : Command.of("ip", "link", "add", name, "type", WIREGUARD);
  }

  /**
   * The commands that make an existing interface of the right kind this tunnel, given what the probe saw: GRE's ends
   * changed in place; WireGuard's key, port and peer set by {@code wg set} with the key on standard input (never on a
   * command line, where {@code ps} would show it), after removing a peer the spec no longer names. WireGuard
   * interfaces come without the MULTICAST flag, which OSPF needs to send its hellos to 224.0.0.5.
   */
  List<Command> configure(String name, Map<?, ?> seen, boolean created) {
    if (kind.equals(GRE)) {
      return local.equals(seen.get("local")) && remote.equals(seen.get("remote")) ? List.of()
          : List.of(Command.of("ip", "link", "set", "dev", name, "type", GRE, "local", local, "remote", remote,
              "ttl", GRE_TTL));
    }
    WireGuard w = wireguard.orElseThrow();
    if (asMap().equals(seen)) {
      return List.of();
    }
    List<Command> out = new ArrayList<>();
    if (created) {
      out.add(Command.of("ip", "link", "set", "dev", name, "multicast", "on"));
    }
    if (seen.get("peer-public-key") instanceof String old && !old.equals(w.peerPublicKey())) {
      out.add(Command.of("wg", "set", name, "peer", old, "remove"));
    }
    out.add(Command.of("wg", "set", name, "listen-port", String.valueOf(w.listenPort()), "private-key",
        "/dev/stdin", "peer", w.peerPublicKey(), "endpoint", endpoint(remote, w.peerPort()), "allowed-ips",
        String.join(",", w.allowedIps())).withStdin(w.privateKey().value() + "\n"));
    return out;
  }

  /**
   * The tunnel as the probe saw it. GRE's ends come from {@code ip -d}'s {@code info_data}; WireGuard's from
   * {@code wg show IF dump}, whose private key the probe script hashed on the host: the desired key is reported
   * only when its hash matches, any other as a hash (never the key).
   */
  SortedMap<String, Object> observed(IpInterface actual, Optional<WgDump> dump) {
    SortedMap<String, Object> m = new TreeMap<>();
    m.put("kind", actual.kind().orElse("none"));
    if (!actual.kind().filter(kind::equals).isPresent()) {
      return m;
    }
    if (kind.equals(GRE)) {
      Optional.ofNullable(actual.data().get("local")).ifPresent(v -> m.put("local", v));
      Optional.ofNullable(actual.data().get("remote")).ifPresent(v -> m.put("remote", v));
      return m;
    }
    // WireGuard binds no local address: the local end is whatever address routes to the peer
    m.put("local", local);
    if (dump.isEmpty()) {
      return m;
    }
    WgDump d = dump.get();
    WireGuard w = wireguard.orElseThrow();
    m.put("private-key", d.privateKeyHash().equals(sha256(String.valueOf(w.privateKey().value())))
        ? w.privateKey() : new Sensitive("sha256:" + d.privateKeyHash()));
    d.listenPort().ifPresent(p -> m.put("listen-port", p));
    d.peers().stream().findFirst().ifPresent(p -> {
      m.put("peer-public-key", p.publicKey());
      p.endpoint().ifPresent(e -> {
        int colon = e.lastIndexOf(':');
        m.put("remote", e.substring(0, colon).replace("[", "").replace("]", ""));
        m.put("peer-port", Long.parseLong(e.substring(colon + 1)));
      });
      m.put("allowed-ips", p.allowedIps());
    });
    return m;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String endpoint(String address, long port) {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  private static String text(Map<?, ?> map, String field, String what) {
    if (!(map.get(field) instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException(what + ": expected the tunnel's " + field);
    }
    return s;
  }

  private static String address(Map<?, ?> map, String field, String what) {
    String text = text(map, field, what);
    if (!InetAddresses.isInetAddress(text)) {
      throw new IllegalArgumentException(what + ": found tunnel " + field + " `" + text + "`, expected an IP"
          + " address");
    }
    return text;
  }

  private static long port(Map<?, ?> map, String field, String what) {
    if (!(map.get(field) instanceof Long p) || p < 1 || p > 65535) {
      throw new IllegalArgumentException(what + ": expected the tunnel's " + field + " as a port number");
    }
    return p;
  }
}

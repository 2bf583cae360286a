package dev.converge.compile;

import com.google.common.net.InetAddresses;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Cidr;
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
 * The {@code tunnel} property of a link {@code interface}: what compile writes and every platform's interface
 * driver reads, in one place. {@code gre} between the hosts' addresses, or {@code wireguard} with one peer.
 *
 * @param wireguard the WireGuard half; empty for GRE
 */
public record Tunnel(String kind, String local, String remote, Optional<WireGuard> wireguard) {

  public static final String GRE = "gre";
  public static final String WIREGUARD = "wireguard";
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=");

  /**
   * WireGuard's part.
   *
   * @param privateKey this end's key, only ever given to {@code wg} on standard input or written to a 0600 file
   */
  public record WireGuard(long listenPort, long peerPort, Sensitive privateKey, String peerPublicKey,
      List<String> allowedIps) {
    public WireGuard {
      allowedIps = List.copyOf(allowedIps);
    }
  }

  /**
   * The tunnel a desired {@code tunnel} map asks for.
   *
   * @throws IllegalArgumentException naming {@code what} and the field when the map is not a tunnel converge makes
   */
  public static Tunnel of(Map<?, ?> map, String what) {
    String kind = text(map, "kind", what);
    String local = address(map, "local", what);
    String remote = address(map, "remote", what);
    if (kind.equals(GRE)) {
      return new Tunnel(kind, local, remote, Optional.empty());
    }
    if (!kind.equals(WIREGUARD)) {
      throw new IllegalArgumentException(what + ": found tunnel kind `" + kind + "`, expected gre or wireguard");
    }
    if (!(map.get("private-key") instanceof Sensitive key) || !(key.value() instanceof String k)
        || k.contains("\n")) {
      throw new IllegalArgumentException(what + ": expected the tunnel's private-key as a one-line secret");
    }
    String peer = text(map, "peer-public-key", what);
    if (!KEY.matcher(peer).matches()) {
      throw new IllegalArgumentException(what + ": found peer-public-key `" + peer + "`, expected a WireGuard"
          + " public key");
    }
    List<String> allowed = new ArrayList<>();
    if (map.get("allowed-ips") instanceof List<?> list) {
      for (Object a : list) {
        allowed.add(Cidr.parse(String.valueOf(a)).toString());
      }
    }
    return new Tunnel(kind, local, remote, Optional.of(new WireGuard(port(map, "listen-port", what),
        port(map, "peer-port", what), key, peer, allowed)));
  }

  /** The property value: what compile emits and what a probe reports when the interface is as wanted. */
  public SortedMap<String, Object> asMap() {
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

  /** The WireGuard peer's endpoint, {@code ADDR:PORT} or {@code [V6]:PORT}. */
  public String endpoint() {
    return (remote.contains(":") ? "[" + remote + "]" : remote) + ":" + wireguard.orElseThrow().peerPort();
  }

  /**
   * The private key as a probe reports it from the hash the host computed (the key itself never leaves the host):
   * the desired key when the hashes match, else {@code sha256:HASH}, which differs from it.
   */
  public Sensitive observedPrivateKey(String hash) {
    Sensitive want = wireguard.orElseThrow().privateKey();
    return hash.equals(sha256(String.valueOf(want.value()))) ? want : new Sensitive("sha256:" + hash);
  }

  /** Lower-case hex SHA-256 of the UTF-8 text, as {@code sha256sum} prints it. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
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

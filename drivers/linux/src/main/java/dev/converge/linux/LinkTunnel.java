package dev.converge.linux;

import dev.converge.compile.Tunnel;
import dev.converge.driver.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tunnel a link interface is built as ({@code tunnel} of {@code interface/HOST:IF}): {@code gre} between the
 * hosts' addresses, or {@code wireguard} with one peer. Checks the desired map, renders the commands that make and
 * fix it, and turns what the probe saw back into the same map.
 */
record LinkTunnel(Tunnel tunnel) {

  /** GRE keeps its TTL fixed (not inherited from the inner packet), as the kernel needs for keepalives to work. */
  static final String GRE_TTL = "255";

  /**
   * The tunnel a desired {@code tunnel} map asks for.
   *
   * @throws IllegalArgumentException naming {@code what} and the field when the map is not a tunnel converge makes
   */
  static LinkTunnel of(Map<?, ?> map, String what) {
    return new LinkTunnel(Tunnel.of(map, what));
  }

  String kind() {
    return tunnel.kind();
  }

  /** {@code ip link add}: the interface, not yet configured (WireGuard) or fully (GRE). */
  Command create(String name) {
    return tunnel.kind().equals(Tunnel.GRE)
        ? Command.of("ip", "link", "add", name, "type", Tunnel.GRE, "local", tunnel.local(), "remote",
            tunnel.remote(), "ttl", GRE_TTL)
        : Command.of("ip", "link", "add", name, "type", Tunnel.WIREGUARD);
  }

  /**
   * The commands that make an existing interface of the right kind this tunnel, given what the probe saw: GRE's ends
   * changed in place; WireGuard's key, port and peer set by {@code wg set} with the key on standard input (never on a
   * command line, where {@code ps} would show it), after removing a peer the spec no longer names. WireGuard
   * interfaces come without the MULTICAST flag, which OSPF needs to send its hellos to 224.0.0.5.
   */
  List<Command> configure(String name, Map<?, ?> seen, boolean created) {
    if (tunnel.kind().equals(Tunnel.GRE)) {
      return tunnel.local().equals(seen.get("local")) && tunnel.remote().equals(seen.get("remote")) ? List.of()
          : List.of(Command.of("ip", "link", "set", "dev", name, "type", Tunnel.GRE, "local", tunnel.local(),
              "remote", tunnel.remote(), "ttl", GRE_TTL));
    }
    Tunnel.WireGuard w = tunnel.wireguard().orElseThrow();
    if (tunnel.asMap().equals(seen)) {
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
        "/dev/stdin", "peer", w.peerPublicKey(), "endpoint", tunnel.endpoint(), "allowed-ips",
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
    if (!actual.kind().filter(tunnel.kind()::equals).isPresent()) {
      return m;
    }
    if (tunnel.kind().equals(Tunnel.GRE)) {
      Optional.ofNullable(actual.data().get("local")).ifPresent(v -> m.put("local", v));
      Optional.ofNullable(actual.data().get("remote")).ifPresent(v -> m.put("remote", v));
      return m;
    }
    // WireGuard binds no local address: the local end is whatever address routes to the peer
    m.put("local", tunnel.local());
    if (dump.isEmpty()) {
      return m;
    }
    WgDump d = dump.get();
    m.put("private-key", tunnel.observedPrivateKey(d.privateKeyHash()));
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
}

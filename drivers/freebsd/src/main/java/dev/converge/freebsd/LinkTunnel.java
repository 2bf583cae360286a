package dev.converge.freebsd;

import dev.converge.compile.Tunnel;
import dev.converge.driver.Command;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tunnel a link interface is built as on FreeBSD ({@code tunnel} of {@code interface/HOST:IF}): gre(4) or, on
 * FreeBSD 14+, wg(4) configured with wg(8) from wireguard-tools.
 *
 * <p><b>Live.</b> {@code ifconfig gre create name IF} then {@code ifconfig IF tunnel L R}; {@code ifconfig wg create
 * name IF} then {@code wg set IF ... private-key /dev/stdin ...} (the key on standard input only).
 *
 * <p><b>At boot.</b> GRE through rc.conf's cloning: {@code cloned_interfaces} gets a unit {@code greN} of its own,
 * {@code create_args_greN="tunnel L R"} and {@code ifconfig_greN_name=IF} rename it (rc.conf(5)), after which the
 * interface's {@code ifconfig_IF_aliasN} apply as for any link. WireGuard through wireguard-tools' rc script
 * ({@code wireguard_enable}, {@code wireguard_interfaces}), which runs {@code wg-quick up IF} on a converge-owned
 * {@value #WIREGUARD_DIR}/IF.conf (mode 0600) holding the key, port, peer and the link's addresses, with
 * {@code Table = off} so that wg-quick installs no route (OSPF routes).
 */
record LinkTunnel(Tunnel tunnel) {

  static final String WIREGUARD_DIR = "/usr/local/etc/wireguard";
  /** The interface group ifconfig prints for each kind: gre(4)'s and wg(4)'s cloner names. */
  private static final Map<String, String> GROUP = Map.of(Tunnel.GRE, "gre", Tunnel.WIREGUARD, "wg");
  private static final Pattern GRE_UNIT = Pattern.compile("gre([0-9]{1,4})");

  /** @throws IllegalArgumentException naming {@code where} when the map is not a tunnel converge makes */
  static LinkTunnel of(Map<?, ?> map, String where) {
    return new LinkTunnel(Tunnel.of(map, where));
  }

  String kind() {
    return tunnel.kind();
  }

  /** Whether ifconfig's groups say the interface is of this kind. */
  boolean isKindOf(List<String> groups) {
    return groups.contains(GROUP.get(tunnel.kind()));
  }

  /** The commands that make the missing interface, renamed to {@code name}, before it is configured. */
  List<Command> create(String name) {
    List<Command> out = new ArrayList<>();
    out.add(Command.of("ifconfig", GROUP.get(tunnel.kind()), "create", "name", name));
    if (tunnel.kind().equals(Tunnel.GRE)) {
      out.add(Command.of("ifconfig", name, "tunnel", tunnel.local(), tunnel.remote()));
    }
    return out;
  }

  /** {@code wg set}, the key on standard input, after removing a peer the spec no longer names. */
  List<Command> configureWireguard(String name, Optional<String> oldPeer) {
    Tunnel.WireGuard w = tunnel.wireguard().orElseThrow();
    List<Command> out = new ArrayList<>();
    oldPeer.filter(p -> !p.equals(w.peerPublicKey()))
        .ifPresent(p -> out.add(Command.of("wg", "set", name, "peer", p, "remove")));
    out.add(Command.of("wg", "set", name, "listen-port", String.valueOf(w.listenPort()), "private-key",
        "/dev/stdin", "peer", w.peerPublicKey(), "endpoint", tunnel.endpoint(), "allowed-ips",
        String.join(",", w.allowedIps())).withStdin(w.privateKey().value() + "\n"));
    return out;
  }

  /**
   * The wg-quick file that rebuilds the interface at boot: what {@code wg set} sets live, plus the link's
   * addresses (the interface does not exist when rc.d/netif would apply rc.conf's), and no routes.
   */
  String wgQuickConf(String name, List<InterfaceAddress> addresses) {
    Tunnel.WireGuard w = tunnel.wireguard().orElseThrow();
    StringBuilder b = new StringBuilder("# written by converge for link interface " + name
        + "; converge rewrites it\n[Interface]\nPrivateKey = " + w.privateKey().value() + "\nListenPort = "
        + w.listenPort() + "\n");
    addresses.stream().map(InterfaceAddress::toString).sorted().forEach(a -> b.append("Address = ").append(a)
        .append('\n'));
    b.append("Table = off\n\n[Peer]\nPublicKey = ").append(w.peerPublicKey()).append("\nEndpoint = ")
        .append(tunnel.endpoint()).append("\nAllowedIPs = ").append(String.join(", ", w.allowedIps())).append('\n');
    return b.toString();
  }

  static String wgQuickPath(String name) {
    return WIREGUARD_DIR + "/" + name + ".conf";
  }

  /** The {@code create_args_greN} value. */
  String createArgs() {
    return "tunnel " + tunnel.local() + " " + tunnel.remote();
  }

  /**
   * The cloned unit rc.conf renames to {@code name} ({@code ifconfig_greN_name=name} with greN in
   * {@code cloned_interfaces}), if any.
   */
  static Optional<String> greUnit(String name, List<String> rcLines) {
    List<String> cloned = rcValue(rcLines, InterfaceRcConf.CLONED).map(v -> Arrays.asList(v.split("\\s+")))
        .orElse(List.of());
    for (String unit : cloned) {
      if (GRE_UNIT.matcher(unit).matches()
          && rcValue(rcLines, InterfaceRcConf.variable(unit) + "_name").filter(name::equals).isPresent()) {
        return Optional.of(unit);
      }
    }
    return Optional.empty();
  }

  /** A gre unit for rc.conf that no other cloned interface or rename uses: the lowest free greN. */
  static String freeGreUnit(List<String> rcLines) {
    for (int n = 0; ; n++) {
      String unit = "gre" + n;
      boolean used = rcValue(rcLines, InterfaceRcConf.CLONED).map(v -> Arrays.asList(v.split("\\s+")))
          .orElse(List.of()).contains(unit) || rcValue(rcLines, InterfaceRcConf.variable(unit) + "_name").isPresent();
      if (!used) {
        return unit;
      }
    }
  }

  static Optional<String> rcValue(List<String> rcLines, String variable) {
    for (String line : rcLines) {
      if (line.startsWith(variable + ": ")) {
        return Optional.of(line.substring(variable.length() + 2).strip());
      }
    }
    return Optional.empty();
  }

  /**
   * The tunnel as the probe saw it: {@code kind} from ifconfig's groups (with {@code (not in rc.conf)} or
   * {@code (not in IF.conf)} when boot would not rebuild it as it is), GRE's ends from its {@code tunnel inet L
   * --> R} line, WireGuard's from the {@code wg show IF dump} lines the probe tagged ({@code wgi HASH PORT} for
   * the interface, its private key hashed on the host; {@code wgp} per peer). The desired key is reported only when
   * its hash matches, any other as {@code sha256:HASH}.
   *
   * @param persisted whether boot rebuilds this tunnel: the rc.conf variables, or the wg-quick file's hash
   */
  SortedMap<String, Object> observed(List<String> groups, List<String> ifconfig, List<String> wgi, List<String> wgp,
      boolean persisted) {
    SortedMap<String, Object> m = new TreeMap<>();
    if (!isKindOf(groups)) {
      m.put("kind", groups.isEmpty() ? "none" : String.join(" ", groups));
      return m;
    }
    m.put("kind", persisted ? tunnel.kind() : tunnel.kind() + " (not in " + (tunnel.kind().equals(Tunnel.GRE) ? "rc.conf" : "IF.conf") + ")");
    if (tunnel.kind().equals(Tunnel.GRE)) {
      for (String line : ifconfig) {
        List<String> w = Arrays.asList(line.strip().split("\\s+"));
        if (w.size() >= 5 && w.get(0).equals("tunnel") && w.get(3).equals("-->")) {
          m.put("local", w.get(2));
          m.put("remote", w.get(4));
        }
      }
      return m;
    }
    // WireGuard binds no local address: the local end is whatever address routes to the peer
    m.put("local", tunnel.local());
    if (!wgi.isEmpty()) {
      String[] f = wgi.get(0).split(" ");
      String hash = f[0];
      m.put("private-key", tunnel.observedPrivateKey(hash));
      if (f.length > 1 && f[1].matches("[0-9]{1,5}")) {
        m.put("listen-port", Long.parseLong(f[1]));
      }
    }
    if (!wgp.isEmpty()) {
      String[] p = wgp.get(0).split("\t", -1);
      if (p.length != 8) {
        throw new IllegalStateException("wg dump peer line of " + p.length + " fields, expected 8 (wg(8))");
      }
      m.put("peer-public-key", p[0]);
      if (!p[2].equals("(none)")) {
        int colon = p[2].lastIndexOf(':');
        m.put("remote", p[2].substring(0, colon).replace("[", "").replace("]", ""));
        m.put("peer-port", Long.parseLong(p[2].substring(colon + 1)));
      }
      m.put("allowed-ips", p[3].equals("(none)") ? List.of()
          : Arrays.stream(p[3].split(",")).map(String::strip).sorted().toList());
    }
    return m;
  }
}

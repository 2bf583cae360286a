package dev.converge.spec;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Network.Kind;
import dev.converge.spec.Network.Link;
import dev.converge.spec.Network.Tunnel;
import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Named;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Binds {@code networks:}: loopback and bridge networks with their host addresses, and point-to-point links. */
final class NetworkBinder {

  static final List<String> KEYS = List.of("kind", "cidr", "interface", "nat", "addresses", "links", "tunnel",
      "port");
  private static final Conversion<Kind> KIND = Conversion.oneOf(Kind.class);
  private static final Conversion<Tunnel> TUNNEL = Conversion.oneOf(Tunnel.class);
  /** Each link gets a /30: network, two hosts, broadcast. */
  private static final BigInteger LINK_SIZE = BigInteger.valueOf(4);

  private final Binding b;

  NetworkBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Named named : b.sections.named(Sections.Kind.NETWORK).values()) {
      MapReader.of(named.value(), "network `" + named.name() + "`", named.at(), b.problems, KEYS)
          .ifPresent(r -> network(named, r));
    }
    checkLinkInterfaces();
    checkTunnelEnds();
  }

  /**
   * A tunnel runs between the hosts' {@code address}es, so each end needs an IP literal there (a name would be
   * resolved on the host, later, to who knows what); a WireGuard end also needs its key pair.
   */
  private void checkTunnelEnds() {
    for (Network n : b.networks.values()) {
      if (n.tunnel().isEmpty()) {
        continue;
      }
      String tunnel = n.tunnel().get().name().toLowerCase(java.util.Locale.ROOT);
      Map<String, Location> reported = new HashMap<>();
      for (Link link : n.links()) {
        for (String end : List.of(link.a(), link.b())) {
          Host host = b.hosts.get(end);
          if (host == null || reported.putIfAbsent(end, link.location()) != null) {
            continue;
          }
          String prefix = "`links` in network `" + n.name() + "` (tunnel: " + tunnel + "): host `" + end + "` ";
          boolean gre = n.tunnel().get() == Tunnel.GRE;
          if (host.address().filter(InetAddresses::isInetAddress)
              .filter(a -> !gre || InetAddresses.forString(a) instanceof java.net.Inet4Address).isEmpty()) {
            b.problems.error(link.location(), prefix + "has " + host.address().map(a -> "address `" + a + "`")
                .orElse("no address") + ": expected an " + (gre ? "IPv4" : "IP") + " address as `address`, the"
                + " tunnel's endpoint" + (gre ? " (converge builds GRE over IPv4)" : ""));
          }
          if (n.tunnel().get() == Tunnel.WIREGUARD && host.wireguard().isEmpty()) {
            b.problems.error(link.location(), prefix + "has no `wireguard`: expected `wireguard: {private-key:"
                + " SECRET, public-key: BASE64}` on host `" + end + "` (at " + host.location() + ")");
          }
        }
      }
    }
  }

  /** Every link end becomes an interface named by {@link Network#linkInterface}: no two on one host may collide. */
  private void checkLinkInterfaces() {
    Map<String, String> used = new HashMap<>();
    for (Network n : b.networks.values()) {
      for (Link link : n.links()) {
        for (String[] end : List.of(new String[] {link.a(), link.b()}, new String[] {link.b(), link.a()})) {
          String iface = n.linkInterface(end[1]);
          String mine = "the link to `" + end[1] + "` of network `" + n.name() + "` (line " + link.location().line()
              + ")";
          String other = used.putIfAbsent(end[0] + " " + iface, mine);
          if (other != null) {
            b.problems.error(link.location(), "`links` in network `" + n.name() + "`: on host `" + end[0] + "`, "
                + mine + " gets interface `" + iface + "`, which " + other + " already has: expected names that"
                + " differ in their first 6 (network) or 8 (host) characters");
          }
        }
      }
    }
  }

  private void network(Named named, MapReader r) {
    Optional<Kind> kind = r.require("kind", KIND);
    Optional<Cidr> cidr = r.require("cidr", Conversion.cidr());
    Optional<String> iface = Optional.empty();
    Optional<Tunnel> tunnel = Optional.empty();
    int port = Network.WIREGUARD_PORT;
    if (kind.isPresent() && kind.get() == Kind.LINKS) {
      forbid(r, "interface", "a links network (each link gets its own interfaces)");
      forbid(r, "addresses", "a links network (addresses come from the /30 of each link)");
      tunnel = r.get("tunnel", TUNNEL);
      if (tunnel.filter(Tunnel.WIREGUARD::equals).isPresent()) {
        port = r.get("port", Conversion.integer(1, 65535), Network.WIREGUARD_PORT);
      } else {
        forbid(r, "port", "a links network without `tunnel: wireguard` (the port is WireGuard's)");
      }
    } else if (kind.isPresent()) {
      iface = r.require("interface", Conversion.interfaceName());
      String kindName = "a " + kind.get().name().toLowerCase(java.util.Locale.ROOT) + " network";
      forbid(r, "links", kindName + " (only links networks have links)");
      forbid(r, "tunnel", kindName + " (only the links of links networks are tunnels)");
      forbid(r, "port", kindName + " (only links networks with `tunnel: wireguard` have a port)");
    }
    boolean nat = r.get("nat", Conversion.bool(), false);
    if (kind.isEmpty() || cidr.isEmpty()) {
      return;
    }
    Map<String, List<InetAddress>> addresses = kind.get() == Kind.LINKS ? Map.of()
        : addresses(named.name(), r, cidr.get(), kind.get());
    List<Link> links = kind.get() == Kind.LINKS ? links(r, cidr.get()) : List.of();
    b.networks.put(named.name(), new Network(named.name(), named.at(), kind.get(), cidr.get(), iface, nat,
        ImmutableMaps.sorted(addresses), links, tunnel, port));
  }

  private static void forbid(MapReader r, String key, String where) {
    if (r.has(key)) {
      r.error(key, "found " + r.node().get(key).orElseThrow().describe() + ", expected no `" + key + "` in "
          + where);
    }
  }

  private Map<String, List<InetAddress>> addresses(String network, MapReader r, Cidr cidr, Kind kind) {
    Optional<MapNode> map = r.mapNode("addresses", "a map of host names to lists of addresses");
    Map<String, List<InetAddress>> result = new LinkedHashMap<>();
    if (map.isEmpty()) {
      return result;
    }
    Conversion<String> hosts = b.reference(Sections.Kind.HOST);
    for (Entry e : map.get().all()) {
      String element = "." + e.key();
      try {
        hosts.convert(e.key());
      } catch (Conversion.Invalid invalid) {
        r.error("addresses", element, e.keyLocation(), invalid.detail());
        continue;
      }
      if (!(e.value() instanceof ListNode list)) {
        r.error("addresses", element, e.value().location(), "found " + e.value().describe()
            + ", expected a list of addresses inside " + cidr + ", such as [" + example(cidr) + "]");
        continue;
      }
      List<InetAddress> addresses = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        Node item = list.items().get(i);
        Optional<InetAddress> a = address(r, element + "[" + i + "]", item, cidr, kind);
        a.ifPresent(addresses::add);
        a.ifPresent(x -> b.addresses.add(x, "network `" + network + "` (host `" + e.key() + "`)",
            item.location()));
      }
      result.put(e.key(), addresses);
    }
    return result;
  }

  /**
   * An address inside {@code cidr}; on a bridge neither the network nor the broadcast address, which no
   * interface can hold.
   */
  static Optional<String> outside(InetAddress a, Cidr cidr, Kind kind) {
    if (!cidr.contains(a)) {
      return Optional.of("expected an address inside " + cidr);
    }
    boolean subnet = kind == Kind.BRIDGE && cidr.isIpv4() && cidr.prefix() <= 30;
    if (subnet && (a.equals(cidr.network()) || a.equals(cidr.addressAt(cidr.size().subtract(BigInteger.ONE))))) {
      return Optional.of("expected an address inside " + cidr + " other than its network and broadcast"
          + " addresses");
    }
    return Optional.empty();
  }

  private static Optional<InetAddress> address(MapReader r, String element, Node item, Cidr cidr, Kind kind) {
    if (!(item instanceof ScalarNode s) || s.isNull() || !InetAddresses.isInetAddress(s.text())) {
      r.error("addresses", element, item.location(), "found " + item.describe() + ", expected an IP address"
          + " inside " + cidr);
      return Optional.empty();
    }
    InetAddress a = InetAddresses.forString(s.text());
    Optional<String> outside = outside(a, cidr, kind);
    outside.ifPresent(expected -> r.error("addresses", element, item.location(), "found " + item.describe()
        + ", " + expected));
    return outside.isEmpty() ? Optional.of(a) : Optional.empty();
  }

  private List<Link> links(MapReader r, Cidr cidr) {
    Optional<ListNode> list = r.listNode("links", "a list of host pairs such as [[server1, server2]]");
    List<Link> links = new ArrayList<>();
    if (list.isEmpty()) {
      return links;
    }
    Map<String, Location> seen = new HashMap<>();
    Conversion<String> hosts = b.reference(Sections.Kind.HOST);
    for (int i = 0; i < list.get().items().size(); i++) {
      Node item = list.get().items().get(i);
      String element = "[" + i + "]";
      List<String> pair = pair(r, element, item, hosts);
      if (pair.size() != 2) {
        continue;
      }
      String a = pair.get(0);
      String z = pair.get(1);
      if (a.equals(z)) {
        r.error("links", element, item.location(), "found a link from `" + a + "` to itself: expected two"
            + " different hosts");
        continue;
      }
      String key = a.compareTo(z) < 0 ? a + " " + z : z + " " + a;
      Location first = seen.putIfAbsent(key, item.location());
      if (first != null) {
        r.error("links", element, item.location(), "found the link between `" + a + "` and `" + z + "` a"
            + " second time: expected each pair of hosts once (first at line " + first.line() + ")");
        continue;
      }
      links.add(new Link(a, z, item.location()));
    }
    if (!cidr.isIpv4()) {
      r.error("cidr", "found an IPv6 prefix, expected an IPv4 prefix for a links network (each link gets a /30)");
    } else if (BigInteger.valueOf(links.size()).multiply(LINK_SIZE).compareTo(cidr.size()) > 0) {
      r.error("links", "found " + links.size() + " links, but " + cidr + " holds only "
          + cidr.size().divide(LINK_SIZE) + " /30 subnets: expected a larger cidr or at most "
          + cidr.size().divide(LINK_SIZE) + " links");
    }
    return links;
  }

  /** The two host names of one link; anything else is reported, and an empty list returned. */
  private static List<String> pair(MapReader r, String element, Node item, Conversion<String> hosts) {
    if (!(item instanceof ListNode l) || l.items().size() != 2) {
      r.error("links", element, item.location(), "found " + (item instanceof ListNode other
          ? "a list of " + other.items().size() : item.describe()) + ", expected a pair of hosts such as"
          + " [server1, server2]");
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (int j = 0; j < 2; j++) {
      Node end = l.items().get(j);
      String at = element + "[" + j + "]";
      if (!(end instanceof ScalarNode s) || s.isNull()) {
        r.error("links", at, end.location(), "found " + end.describe() + ", expected a host name");
        continue;
      }
      try {
        names.add(hosts.convert(s.text()));
      } catch (Conversion.Invalid invalid) {
        r.error("links", at, end.location(), invalid.detail());
      }
    }
    return names;
  }

  private static String example(Cidr cidr) {
    return InetAddresses.toAddrString(cidr.addressAt(cidr.size().compareTo(BigInteger.ONE) > 0
        ? BigInteger.ONE : BigInteger.ZERO));
  }
}

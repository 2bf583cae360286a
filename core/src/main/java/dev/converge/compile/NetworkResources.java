package dev.converge.compile;

import com.google.common.net.InetAddresses;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Cidr;
import dev.converge.spec.Host;
import dev.converge.spec.Location;
import dev.converge.spec.Network;
import dev.converge.spec.Ospf;
import dev.converge.spec.SecretException;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The resources that {@code networks:}, {@code ospf:} and the hosts' {@code loopback} and {@code external-interface}
 * compile into, per host: an {@code interface} per interface converge puts addresses on, {@code ip-forwarding} on
 * every host that routes (a link the spec dropped leaves an {@code interface} holding none of converge's addresses in
 * its former /30), a {@code nat} per NAT network a host has an address in, and one {@code ospf-router} per
 * host taking part in an area. NAT and the OSPF router wait for the host's interfaces, OSPF also for forwarding.
 *
 * @param byHost every network resource of each host, in id order
 * @param byNetwork the resources each network compiled into ({@code requires: [network/NAME]})
 * @param routers the {@code ospf-router} of each host that has one
 */
record NetworkResources(SortedMap<String, List<ResourceId>> byHost, SortedMap<String, Set<ResourceId>> byNetwork,
    SortedMap<String, ResourceId> routers) {

  /** What a spec without networks, loopbacks or OSPF compiles into. */
  static final NetworkResources EMPTY = new NetworkResources(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

  static final String INTERFACE = "interface";
  static final String IP_FORWARDING = "ip-forwarding";
  static final String NAT = "nat";
  static final String OSPF_ROUTER = "ospf-router";
  /** The cloned loopback that holds a host's own {@code loopback:} address, as in the seed. */
  static final String HOST_LOOPBACK = "lo1";

  private static final String LOOPBACK = "loopback";
  private static final String BRIDGE = "bridge";
  private static final String LINK = "link";
  private static final String POINT_TO_POINT = "point-to-point";

  /**
   * Adds the network resources of {@code spec} to {@code graph}.
   *
   * @param allocations IPAM's allocations, holding the /30 of every link
   * @param linksProvided whether every link interface already exists (the lab's veths): no {@code tunnel} then
   * @param jails the jails, whose /32s on loopback networks their hosts' routers advertise
   * @throws CompileException naming host and interface when two networks want one interface as different kinds, a
   *     host in two areas puts one interface in both, or the MD5 key or a WireGuard private key cannot be read
   */
  static NetworkResources of(Spec spec, SortedMap<String, SortedMap<String, String>> allocations, Secrets secrets,
      boolean linksProvided, Collection<JailResources.Compiled> jails, DesiredGraph.Builder graph)
      throws CompileException {
    List<String> errors = new ArrayList<>();
    Map<String, Map<String, Iface>> interfaces = interfaces(spec, allocations, errors);
    if (!linksProvided) {
      tunnels(spec, allocations, secrets, interfaces, errors);
    }
    Map<String, OspfRouter> routers = routers(spec, allocations, interfaces, jails, linksProvided, secrets, errors);
    if (!errors.isEmpty()) {
      throw new CompileException(String.join("\n", errors));
    }
    SortedMap<String, List<ResourceId>> byHost = new TreeMap<>();
    SortedMap<String, Set<ResourceId>> byNetwork = new TreeMap<>();
    SortedMap<String, ResourceId> routerIds = new TreeMap<>();
    for (Host host : spec.hosts().values()) {
      String h = host.name();
      List<ResourceId> mine = new ArrayList<>();
      List<ResourceId> hostInterfaces = new ArrayList<>();
      for (Iface i : new TreeMap<>(interfaces.getOrDefault(h, Map.of())).values()) {
        ResourceId id = ResourceId.of(INTERFACE, h, i.name);
        graph.add(Resource.present(id, i.properties(), i.origin));
        hostInterfaces.add(id);
        i.networks.forEach(n -> byNetwork.computeIfAbsent(n, k -> new TreeSet<>()).add(id));
      }
      mine.addAll(hostInterfaces);
      Optional<ResourceId> forwarding = Optional.empty();
      if (forwards(interfaces.getOrDefault(h, Map.of()), routers.containsKey(h))) {
        ResourceId id = ResourceId.of(IP_FORWARDING, h, "ipv4");
        graph.add(Resource.present(id, Properties.builder().put("enabled", true).build(), host.location()));
        forwarding = Optional.of(id);
        mine.add(id);
      }
      for (Network net : spec.networks().values()) {
        if (net.nat() && hasAddress(net, h)) {
          ResourceId id = ResourceId.of(NAT, h, net.name());
          graph.add(Resource.present(id, Properties.builder()
              .put("source", net.cidr().toString())
              .put("interface", host.externalInterface().orElseThrow())
              .build(), net.location()));
          hostInterfaces.forEach(i -> graph.requires(id, i));
          byNetwork.computeIfAbsent(net.name(), k -> new TreeSet<>()).add(id);
          mine.add(id);
        }
      }
      OspfRouter router = routers.get(h);
      if (router != null) {
        ResourceId id = ResourceId.of(OSPF_ROUTER, h, "ospf");
        graph.add(Resource.present(id, router.properties(), router.origin));
        hostInterfaces.forEach(i -> graph.requires(id, i));
        forwarding.ifPresent(f -> graph.requires(id, f));
        routerIds.put(h, id);
        mine.add(id);
      }
      if (!mine.isEmpty()) {
        byHost.put(h, List.copyOf(mine));
      }
    }
    byNetwork.replaceAll((n, ids) -> Set.copyOf(ids));
    return new NetworkResources(byHost, byNetwork, routerIds);
  }

  /** Whether {@code host} forwards packets: it is on a links network, holds network addresses, or runs OSPF. */
  private static boolean forwards(Map<String, Iface> interfaces, boolean ospf) {
    return ospf || interfaces.values().stream().anyMatch(i -> !i.networks.isEmpty());
  }

  private static boolean hasAddress(Network net, String host) {
    return net.kind() != Network.Kind.LINKS && !net.addresses().getOrDefault(host, List.of()).isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ interfaces

  /** One interface of one host as compile gathers it: several networks may put addresses on one loopback. */
  private static final class Iface {
    final String name;
    final String type;
    final Location origin;
    final SortedSet<String> addresses = new TreeSet<>();
    final SortedSet<String> managed = new TreeSet<>();
    final SortedSet<String> networks = new TreeSet<>();
    String peer;
    SortedMap<String, Object> tunnel;

    Iface(String name, String type, Location origin) {
      this.name = name;
      this.type = type;
      this.origin = origin;
    }

    Properties properties() {
      return Properties.builder()
          .put("type", type)
          .put("addresses", List.copyOf(addresses))
          .put("managed", List.copyOf(managed))
          .put("peer", peer)
          .put("tunnel", tunnel)
          .build();
    }
  }

  /** Host → interface name → interface, from the hosts' loopbacks and every network's addresses and links. */
  private static Map<String, Map<String, Iface>> interfaces(Spec spec,
      SortedMap<String, SortedMap<String, String>> allocations, List<String> errors) {
    Map<String, Map<String, Iface>> out = new TreeMap<>();
    for (Host host : spec.hosts().values()) {
      host.loopback().ifPresent(l -> {
        Iface i = iface(out, host.name(), HOST_LOOPBACK, LOOPBACK, host.location(), "the host's loopback", errors);
        if (i != null) {
          i.addresses.add(l.toString());
          i.managed.add(l.toString());
        }
      });
    }
    for (Network net : spec.networks().values()) {
      String what = "network `" + net.name() + "`";
      if (net.kind() == Network.Kind.LINKS) {
        for (Network.Link link : net.links()) {
          Cidr subnet = Cidr.parse(allocations.get(net.name()).get(Ipam.linkOwner(link)));
          end(out, net, link.a(), link.b(), subnet, 1, what, link.location(), errors);
          end(out, net, link.b(), link.a(), subnet, 2, what, link.location(), errors);
        }
        if (net.tunnel().isPresent()) {
          // the tunnel of a dropped link goes: its resource leaves the graph and the engine deletes what it made
          continue;
        }
        allocations.getOrDefault(net.name(), new TreeMap<>()).forEach((owner, subnet) ->
            Ipam.releasedHosts(owner).ifPresent(ends -> {
              released(out, net, ends.get(0), ends.get(1), subnet);
              released(out, net, ends.get(1), ends.get(0), subnet);
            }));
        continue;
      }
      String type = net.kind() == Network.Kind.LOOPBACK ? LOOPBACK : BRIDGE;
      for (Map.Entry<String, List<InetAddress>> e : net.addresses().entrySet()) {
        if (e.getValue().isEmpty()) {
          continue;
        }
        Iface i = iface(out, e.getKey(), net.interfaceName().orElseThrow(), type, net.location(), what, errors);
        if (i == null) {
          continue;
        }
        for (InetAddress a : e.getValue()) {
          i.addresses.add(address(a, type.equals(LOOPBACK) ? Cidr.host(a).prefix() : net.cidr().prefix()));
        }
        i.managed.add(net.cidr().toString());
        i.networks.add(net.name());
      }
    }
    return out;
  }

  /** One end of a link: the /30's {@code offset}-th address on the interface named after the peer. */
  private static void end(Map<String, Map<String, Iface>> out, Network net, String host, String peer, Cidr subnet,
      int offset, String what, Location at, List<String> errors) {
    Iface i = iface(out, host, net.linkInterface(peer), LINK, at, what, errors);
    if (i != null) {
      i.addresses.add(address(subnet.addressAt(BigInteger.valueOf(offset)), subnet.prefix()));
      i.managed.add(net.cidr().toString());
      i.networks.add(net.name());
      i.peer = peer;
    }
  }

  /**
   * One end of a link the spec dropped: the interface named after the peer, with none of converge's addresses in the
   * link's former /30 — unless the host uses that interface name otherwise.
   */
  private static void released(Map<String, Map<String, Iface>> out, Network net, String host, String peer,
      String subnet) {
    Map<String, Iface> mine = out.computeIfAbsent(host, k -> new TreeMap<>());
    String name = net.linkInterface(peer);
    if (!mine.containsKey(name)) {
      Iface i = new Iface(name, LINK, net.location());
      i.managed.add(subnet);
      i.peer = peer;
      mine.put(name, i);
    }
  }

  /**
   * The {@code tunnel} of each link end on a network with {@code tunnel:}: kind, local and remote address, and for
   * WireGuard the ports (the network's base port plus the link's /30 index, so both ends agree and the number is
   * stable with the recorded /30), this host's private key (read here, carried as {@link Sensitive}), the peer's
   * public key and {@code allowed-ips} 0.0.0.0/0: one peer per interface, so WireGuard's cryptokey routing sends
   * everything the kernel routes into the interface — OSPF's multicast 224.0.0.5 included — to that peer, and OSPF
   * alone decides what is routed there.
   */
  private static void tunnels(Spec spec, SortedMap<String, SortedMap<String, String>> allocations, Secrets secrets,
      Map<String, Map<String, Iface>> interfaces, List<String> errors) {
    Map<String, Sensitive> privateKeys = new TreeMap<>();
    for (Network net : spec.networks().values()) {
      if (net.tunnel().isEmpty()) {
        continue;
      }
      boolean wireguard = net.tunnel().get() == Network.Tunnel.WIREGUARD;
      for (Network.Link link : net.links()) {
        Cidr subnet = Cidr.parse(allocations.get(net.name()).get(Ipam.linkOwner(link)));
        long port = net.port() + linkIndex(net.cidr(), subnet);
        if (wireguard && port > 65535) {
          errors.add(link.location() + ": network `" + net.name() + "`: the link between `" + link.a() + "` and `"
              + link.b() + "` has /30 " + subnet + ", whose WireGuard port " + net.port() + " + "
              + linkIndex(net.cidr(), subnet) + " = " + port + " exceeds 65535: expected a lower `port`");
          continue;
        }
        for (String[] end : List.of(new String[] {link.a(), link.b()}, new String[] {link.b(), link.a()})) {
          Host host = spec.hosts().get(end[0]);
          Host peer = spec.hosts().get(end[1]);
          Iface i = interfaces.get(end[0]).get(net.linkInterface(end[1]));
          Optional<Tunnel.WireGuard> wg = Optional.empty();
          if (wireguard) {
            Optional<Sensitive> key = privateKey(host, privateKeys, secrets, errors);
            if (key.isEmpty()) {
              continue;
            }
            wg = Optional.of(new Tunnel.WireGuard(port, port, key.get(),
                peer.wireguard().orElseThrow().publicKey(), List.of("0.0.0.0/0")));
          }
          // the loader refuses a tunnel end without an IP address or (for WireGuard) a key pair
          Tunnel t = new Tunnel(wireguard ? Tunnel.WIREGUARD : Tunnel.GRE, host.address().orElseThrow(),
              peer.address().orElseThrow(), wg);
          if (i != null) {
            i.tunnel = t.asMap();
          }
        }
      }
    }
  }

  private static Optional<Sensitive> privateKey(Host host, Map<String, Sensitive> read, Secrets secrets,
      List<String> errors) {
    if (read.containsKey(host.name())) {
      return Optional.ofNullable(read.get(host.name()));
    }
    Host.WireGuard wg = host.wireguard().orElseThrow();
    try {
      Sensitive key = new Sensitive(secrets.value(wg.privateKey()).strip());
      read.put(host.name(), key);
      return Optional.of(key);
    } catch (SecretException e) {
      errors.add(wg.location() + ": host `" + host.name() + "`: WireGuard private key: " + e.getMessage());
      // read once per host: one error is enough
      read.put(host.name(), null);
      return Optional.empty();
    }
  }

  /** The position of the /30 {@code subnet} among the /30s of {@code cidr}: 0 for the first. */
  private static long linkIndex(Cidr cidr, Cidr subnet) {
    return new BigInteger(1, subnet.network().getAddress()).subtract(new BigInteger(1, cidr.network().getAddress()))
        .shiftRight(2).longValueExact();
  }

  private static Iface iface(Map<String, Map<String, Iface>> out, String host, String name, String type,
      Location at, String what, List<String> errors) {
    Map<String, Iface> mine = out.computeIfAbsent(host, k -> new TreeMap<>());
    Iface i = mine.computeIfAbsent(name, k -> new Iface(name, type, at));
    if (!i.type.equals(type) || type.equals(LINK) && i.peer != null) {
      errors.add(at + ": " + what + " wants interface `" + name + "` on host `" + host + "` as a " + type
          + ", but it is already a " + i.type + " (defined at " + i.origin + "): expected each interface of a host"
          + " to have one kind");
      return null;
    }
    return i;
  }

  private static String address(InetAddress a, int prefix) {
    return InetAddresses.toAddrString(a) + "/" + prefix;
  }

  // ------------------------------------------------------------------------------------------------ OSPF

  /** One host's OSPF router, gathered over every area it takes part in. */
  private static final class OspfRouter {
    final String routerId;
    final Location origin;
    /** Present only for Quagga, so that the plans of hosts on FRR, the default, stay as they were. */
    final Optional<String> daemon;
    final SortedMap<String, SortedMap<String, Object>> interfaces = new TreeMap<>();
    final SortedMap<String, String> networks = new TreeMap<>();
    final SortedMap<String, String> neighbors = new TreeMap<>();
    final SortedSet<String> routes = new TreeSet<>();
    /** Connected /32s advertised as external routes: Linux jails' addresses. */
    final SortedSet<String> redistribute = new TreeSet<>();
    boolean fastConvergence;

    OspfRouter(String routerId, Location origin, Optional<String> daemon) {
      this.routerId = routerId;
      this.origin = origin;
      this.daemon = daemon;
    }

    Properties properties() {
      return Properties.builder()
          .put("daemon", daemon)
          .put("router-id", routerId)
          .put("interfaces", interfaces)
          .put("networks", networks)
          .put("neighbors", neighbors)
          .put("routes", List.copyOf(routes))
          .put("redistribute", List.copyOf(redistribute))
          // false rather than absent: the engine diffs only the fields a resource has, so an absent field could
          // never show the drift of a router whose area stopped asking for it
          .put("fast-convergence", fastConvergence)
          .build();
    }
  }

  private static Map<String, OspfRouter> routers(Spec spec, SortedMap<String, SortedMap<String, String>> allocations,
      Map<String, Map<String, Iface>> interfaces, Collection<JailResources.Compiled> jails, boolean lab,
      Secrets secrets, List<String> errors) {
    Map<String, OspfRouter> routers = new TreeMap<>();
    for (Ospf.Area area : spec.ospf().areas().values()) {
      Set<String> members = area.members(spec.networks());
      Optional<Sensitive> key = Optional.empty();
      if (area.md5Key().isPresent()) {
        try {
          key = Optional.of(new Sensitive(secrets.value(area.md5Key().get()).strip()));
        } catch (SecretException e) {
          errors.add(area.location() + ": OSPF area `" + area.id() + "`: " + e.getMessage());
          continue;
        }
      }
      for (String h : members) {
        Host host = spec.hosts().get(h);
        boolean linuxJails = lab || "linux".equals(host.os());
        // the loader refuses an OSPF host without an IPv4 loopback
        OspfRouter r = routers.computeIfAbsent(h, k -> new OspfRouter(
            InetAddresses.toAddrString(host.loopback().orElseThrow().network()), area.location(),
            Optional.of(host.routingDaemon()).filter(Host.QUAGGA::equals)));
        r.fastConvergence |= area.fastConvergence();
        String loopback = host.loopback().orElseThrow().toString();
        if (!r.networks.containsKey(loopback)) {
          r.networks.put(loopback, area.id());
          join(r, HOST_LOOPBACK, passive(area), h, area, errors);
        }
        for (String n : area.networks()) {
          Network net = spec.networks().get(n);
          if (net.kind() == Network.Kind.LINKS) {
            for (Network.Link link : net.links()) {
              if (!link.a().equals(h) && !link.b().equals(h)) {
                continue;
              }
              String peer = link.a().equals(h) ? link.b() : link.a();
              boolean adjacent = members.contains(peer);
              String ifname = net.linkInterface(peer);
              r.networks.put(allocations.get(n).get(Ipam.linkOwner(link)), area.id());
              join(r, ifname, adjacent ? active(area, key) : passive(area), h, area, errors);
              if (adjacent) {
                r.neighbors.put(ifname, InetAddresses.toAddrString(spec.hosts().get(peer).loopback().orElseThrow()
                    .network()));
              }
            }
          } else if (hasAddress(net, h)) {
            if (net.kind() == Network.Kind.LOOPBACK) {
              net.addresses().get(h).forEach(a -> r.networks.put(Cidr.host(a).toString(), area.id()));
            } else {
              r.networks.put(net.cidr().toString(), area.id());
            }
            join(r, net.interfaceName().orElseThrow(), passive(area), h, area, errors);
          }
          if (net.kind() == Network.Kind.LOOPBACK) {
            // the jail's /32 sits on the host's side of the jail's link (Linux) or on the network's interface
            // (FreeBSD); a network statement of its own advertises it either way
            for (JailResources.Compiled j : jails) {
              if (j.host().equals(h) && j.network().name().equals(n)) {
                String prefix = Cidr.host(j.address()).toString();
                if (linuxJails) {
                  // the /32 is the peer of the host's side of the jail's link, an unnumbered interface whose peer
                  // ospfd never advertises: it goes out as an external route instead
                  r.redistribute.add(prefix);
                } else {
                  r.networks.put(prefix, area.id());
                }
              }
            }
          }
        }
      }
      for (String h : members) {
        for (String other : members) {
          if (!other.equals(h)) {
            routes(spec, spec.hosts().get(other), area).forEach(routers.get(h).routes::add);
          }
        }
      }
    }
    routers.forEach((h, r) -> r.routes.removeAll(r.networks.keySet()));
    return routers;
  }

  /** The /32s {@code host} advertises in {@code area}: its router id and its addresses on the area's loopbacks. */
  private static List<String> routes(Spec spec, Host host, Ospf.Area area) {
    List<String> out = new ArrayList<>();
    out.add(host.loopback().orElseThrow().toString());
    for (String n : area.networks()) {
      Network net = spec.networks().get(n);
      if (net.kind() == Network.Kind.LOOPBACK) {
        net.addresses().getOrDefault(host.name(), List.of()).forEach(a -> out.add(Cidr.host(a).toString()));
      }
    }
    return out;
  }

  private static void join(OspfRouter r, String ifname, SortedMap<String, Object> settings, String host,
      Ospf.Area area, List<String> errors) {
    SortedMap<String, Object> before = r.interfaces.putIfAbsent(ifname, settings);
    if (before != null && !before.get("area").equals(area.id())) {
      errors.add(area.location() + ": OSPF area `" + area.id() + "` wants interface `" + ifname + "` of host `"
          + host + "`, which area `" + before.get("area") + "` already has: expected each interface in one area");
    }
  }

  /** A link interface with an adjacency: the area's link type (point-to-point by default), timers and key. */
  private static SortedMap<String, Object> active(Ospf.Area area, Optional<Sensitive> key) {
    SortedMap<String, Object> s = new TreeMap<>();
    s.put("area", area.id());
    s.put("passive", false);
    s.put("network-type", area.linkType().orElse(POINT_TO_POINT));
    area.helloInterval().ifPresent(v -> s.put("hello", v.longValue()));
    area.deadInterval().ifPresent(v -> s.put("dead", v.longValue()));
    key.ifPresent(k -> s.put("md5-key", k));
    return s;
  }

  /** An interface whose prefixes are advertised but that never speaks OSPF. */
  private static SortedMap<String, Object> passive(Ospf.Area area) {
    SortedMap<String, Object> s = new TreeMap<>();
    s.put("area", area.id());
    s.put("passive", true);
    return s;
  }
}

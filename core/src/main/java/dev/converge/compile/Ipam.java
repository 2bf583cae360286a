package dev.converge.compile;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Cidr;
import dev.converge.spec.Jail;
import dev.converge.spec.Network;
import dev.converge.spec.Spec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Address management for {@code address: auto} and for the /30 of each link of a {@code links} network. An owner
 * keeps what state recorded for it as long as that is still valid (inside the network, not taken by a fixed address
 * or another owner); otherwise, and for new owners, it gets the lowest free address (jails, in name order) or /30
 * (links, in the order the spec lists them) — so re-running never renumbers and the same spec and state always
 * allocate the same way.
 */
public final class Ipam {

  /** Each link gets a /30: network, two hosts, broadcast. */
  private static final BigInteger LINK_SIZE = BigInteger.valueOf(4);
  private static final String LINK = "link/";
  private static final String RELEASED = "released/";

  /** Owner key of a jail's address: {@code jail/NAME}. */
  public static String jailOwner(String jail) {
    return "jail/" + jail;
  }

  /**
   * Owner key of a link's /30: {@code link/A,B} with the two host names in name order, so that writing the pair the
   * other way round keeps the subnet.
   */
  public static String linkOwner(Network.Link link) {
    return link.a().compareTo(link.b()) < 0 ? LINK + link.a() + "," + link.b() : LINK + link.b() + "," + link.a();
  }

  /**
   * Owner key of the /30 of a link the spec dropped: {@code released/A,B}. It stays recorded so that converge keeps
   * its addresses off both ends (the hosts keep the interface, converge only its addresses), until the two hosts are
   * linked again (the link gets its /30 back) or one of them leaves the spec.
   */
  public static String releasedOwner(String linkOwner) {
    return RELEASED + linkOwner.substring(LINK.length());
  }

  /** The two hosts of a released /30's owner key, or empty for any other key. */
  public static Optional<List<String>> releasedHosts(String owner) {
    if (!owner.startsWith(RELEASED)) {
      return Optional.empty();
    }
    List<String> hosts = List.of(owner.substring(RELEASED.length()).split(",", -1));
    return hosts.size() == 2 ? Optional.of(hosts) : Optional.empty();
  }

  private Ipam() {}

  /**
   * Allocations for every auto-addressed jail: network → owner → address. Allocations of owners that are gone are
   * not carried over (their addresses are free again).
   *
   * @param recorded allocations from state
   * @throws CompileException naming the jail and the network when a network is full
   */
  public static SortedMap<String, SortedMap<String, String>> allocate(Spec spec,
      Map<String, ? extends Map<String, String>> recorded) throws CompileException {
    SortedMap<String, SortedMap<String, String>> out = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    for (Network net : spec.networks().values()) {
      if (net.kind() == Network.Kind.LINKS) {
        SortedMap<String, String> links = links(spec, net,
            recorded.containsKey(net.name()) ? recorded.get(net.name()) : Map.of());
        if (!links.isEmpty()) {
          out.put(net.name(), links);
        }
        continue;
      }
      List<Jail> auto = spec.jails().values().stream()
          .filter(j -> j.network().equals(net.name()) && j.autoAddress())
          .toList();
      if (auto.isEmpty()) {
        continue;
      }
      Set<BigInteger> taken = reserved(spec, net);
      SortedMap<String, String> mine = new TreeMap<>();
      Map<String, String> before = recorded.containsKey(net.name()) ? recorded.get(net.name()) : Map.of();
      List<Jail> needing = new ArrayList<>();
      for (Jail j : auto) {
        String kept = before.get(jailOwner(j.name()));
        BigInteger offset = kept == null ? null : validOffset(net.cidr(), kept);
        if (offset != null && !taken.contains(offset)) {
          taken.add(offset);
          mine.put(jailOwner(j.name()), kept);
        } else {
          needing.add(j);
        }
      }
      BigInteger next = BigInteger.ONE;
      BigInteger limit = lastUsable(net.cidr());
      for (Jail j : needing) {
        while (next.compareTo(limit) <= 0 && taken.contains(next)) {
          next = next.add(BigInteger.ONE);
        }
        if (next.compareTo(limit) > 0) {
          errors.add(j.location() + ": network `" + net.name() + "` (" + net.cidr() + ") has no free address left for"
              + " jail `" + j.name() + "`: widen the cidr or give the jail a fixed address");
          continue;
        }
        taken.add(next);
        mine.put(jailOwner(j.name()), InetAddresses.toAddrString(net.cidr().addressAt(next)));
      }
      out.put(net.name(), mine);
    }
    if (!errors.isEmpty()) {
      throw new CompileException(String.join("\n", errors));
    }
    return out;
  }

  /**
   * A /30 per link, network → owner → {@code a.b.c.d/30}, plus the released /30s of links the spec dropped (see
   * {@link #releasedOwner}). The loader checked that the cidr is IPv4 and holds one /30 per link, so every link finds
   * a free one.
   */
  private static SortedMap<String, String> links(Spec spec, Network net, Map<String, String> before) {
    BigInteger subnets = net.cidr().size().divide(LINK_SIZE);
    Set<BigInteger> taken = new HashSet<>();
    SortedMap<String, String> mine = new TreeMap<>();
    List<Network.Link> needing = new ArrayList<>();
    for (Network.Link link : net.links()) {
      String owner = linkOwner(link);
      String recorded = before.containsKey(owner) ? before.get(owner) : before.get(releasedOwner(owner));
      BigInteger kept = subnetIndex(net.cidr(), recorded);
      if (kept != null && kept.compareTo(subnets) < 0 && taken.add(kept)) {
        mine.put(owner, recorded);
      } else {
        needing.add(link);
      }
    }
    BigInteger next = BigInteger.ZERO;
    for (Network.Link link : needing) {
      while (taken.contains(next)) {
        next = next.add(BigInteger.ONE);
      }
      taken.add(next);
      mine.put(linkOwner(link), new Cidr(net.cidr().addressAt(next.multiply(LINK_SIZE)), 30).toString());
    }
    before.forEach((owner, subnet) -> {
      String released = owner.startsWith(LINK) ? releasedOwner(owner) : owner;
      String linked = LINK + released.substring(Math.min(released.length(), RELEASED.length()));
      boolean hostsRemain = releasedHosts(released).filter(h -> spec.hosts().keySet().containsAll(h)).isPresent();
      if (hostsRemain && !mine.containsKey(linked) && subnetIndex(net.cidr(), subnet) != null) {
        mine.put(released, subnet);
      }
    });
    return mine;
  }

  /** The index of a recorded /30 inside {@code cidr}, or null if it is not one. */
  private static BigInteger subnetIndex(Cidr cidr, String recorded) {
    if (recorded == null) {
      return null;
    }
    Cidr subnet;
    try {
      subnet = Cidr.parse(recorded);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (subnet.prefix() != 30 || !subnet.isIpv4() || !cidr.contains(subnet.network())) {
      return null;
    }
    return cidr.offsetOf(subnet.network()).divide(LINK_SIZE);
  }

  /** Offsets no allocation may use: network and broadcast addresses, the network's own addresses, fixed jails. */
  private static Set<BigInteger> reserved(Spec spec, Network net) {
    Set<BigInteger> taken = new HashSet<>();
    taken.add(BigInteger.ZERO);
    net.addresses().values().forEach(list -> list.forEach(a -> add(taken, net.cidr(), a)));
    spec.jails().values().stream()
        .filter(j -> j.network().equals(net.name()))
        .forEach(j -> j.address().ifPresent(a -> add(taken, net.cidr(), a)));
    return taken;
  }

  private static void add(Set<BigInteger> taken, Cidr cidr, InetAddress a) {
    if (cidr.contains(a)) {
      taken.add(cidr.offsetOf(a));
    }
  }

  /** The last offset that may be handed out: below the broadcast address of an IPv4 network wider than /31. */
  private static BigInteger lastUsable(Cidr cidr) {
    BigInteger last = cidr.size().subtract(BigInteger.ONE);
    return cidr.isIpv4() && cidr.prefix() < 31 ? last.subtract(BigInteger.ONE) : last;
  }

  private static BigInteger validOffset(Cidr cidr, String address) {
    if (!InetAddresses.isInetAddress(address)) {
      return null;
    }
    InetAddress a = InetAddresses.forString(address);
    if (!cidr.contains(a)) {
      return null;
    }
    BigInteger offset = cidr.offsetOf(a);
    return offset.signum() > 0 && offset.compareTo(lastUsable(cidr)) <= 0 ? offset : null;
  }
}

package dev.converge.spec;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A network of the site.
 *
 * <ul>
 *   <li>{@code loopback}: a cloned loopback ({@code interface}, e.g. lo2) on every host that uses it, holding /32s
 *       of jails and of the host's own services ({@code addresses}: host → addresses).
 *   <li>{@code bridge}: a bridge ({@code interface}) whose host address (first of {@code addresses} for that host)
 *       is the gateway of the network.
 *   <li>{@code links}: point-to-point links between host pairs, a /30 per link carved from {@code cidr}.
 * </ul>
 *
 * @param nat outbound NAT for the network on the host's external interface
 * @param tunnel for a {@code links} network, what converge builds each link of on real hosts; empty when the link
 *     interfaces already exist (a cable, or the lab's veths)
 * @param port WireGuard's base listen port: the link with /30 index {@code i} in {@code cidr} listens on
 *     {@code port + i}
 */
public record Network(
    String name,
    Location location,
    Kind kind,
    Cidr cidr,
    Optional<String> interfaceName,
    boolean nat,
    SortedMap<String, List<InetAddress>> addresses,
    List<Link> links,
    Optional<Tunnel> tunnel,
    int port) {

  /** WireGuard's well-known port, the default {@code port}. */
  public static final int WIREGUARD_PORT = 51820;

  /** The tunnels converge can build a link of. */
  public enum Tunnel {
    WIREGUARD,
    GRE
  }

  /** The kinds of network. */
  public enum Kind {
    LOOPBACK,
    BRIDGE,
    LINKS
  }

  public Network {
    addresses = ImmutableMaps.sorted(addresses);
    links = List.copyOf(links);
  }

  /**
   * The interface that carries this {@code links} network's link to {@code peer} on the other end: the first six
   * characters of the network name, a dash, the first eight of the peer's ({@code backbo-server2}). At most 15
   * characters (Linux IFNAMSIZ); the loader refuses a spec where two links of one host would get the same name. The
   * lab names its veths so, and the network drivers configure them under that name.
   */
  public String linkInterface(String peer) {
    return name.substring(0, Math.min(6, name.length())) + "-" + peer.substring(0, Math.min(8, peer.length()));
  }

  /** One link of a {@code links} network, between hosts {@code a} and {@code b}. */
  public record Link(String a, String b, Location location) {}
}

package dev.converge.lab;

import dev.converge.spec.Cidr;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses a lab's management /24 from {@value #POOL}: the one a hash of the lab's prefix points at, or the next
 * free one after it, where free means that it overlaps no route of the machine (the default route aside). So a lab
 * never captures traffic meant for a real network, and two labs never share a subnet.
 *
 * <p>In a subnet, hosts get {@code .1} to {@code .253}; the bridge in the root namespace holds the gateway
 * {@code .254}.
 */
final class ManagementSubnet {

  static final String POOL = "10.250.0.0/16";
  static final int MAX_HOSTS = 253;
  private static final int SUBNETS = 256;
  private static final int GATEWAY = 254;

  private ManagementSubnet() {}

  /**
   * The subnet for the lab {@code prefix}.
   *
   * @param routeDestinations the machine's IPv4 route destinations ({@code a.b.c.d/n}, or a bare address for a
   *     /32), as {@link Ip#ipv4RouteDestinations()} lists them
   * @throws LabException if every /24 of the pool overlaps a route
   */
  static Cidr choose(String prefix, List<String> routeDestinations) {
    List<Cidr> routes = new ArrayList<>();
    for (String dst : routeDestinations) {
      try {
        Cidr route = Cidr.parse(dst.contains("/") ? dst : dst + "/32");
        if (route.isIpv4() && route.prefix() > 0) {
          routes.add(route);
        }
      } catch (IllegalArgumentException e) {
        // not a destination the lab could overlap (a form this code does not know): ignore it
      }
    }
    int start = Math.floorMod(prefix.hashCode(), SUBNETS);
    for (int i = 0; i < SUBNETS; i++) {
      Cidr candidate = Cidr.parse("10.250." + (start + i) % SUBNETS + ".0/24");
      if (routes.stream().noneMatch(candidate::overlaps)) {
        return candidate;
      }
    }
    throw new LabException("no free /24 for the lab's management network in " + POOL + ": every one overlaps a"
        + " route of this machine (ip -4 route show table all)");
  }

  static InetAddress gateway(Cidr subnet) {
    return subnet.addressAt(BigInteger.valueOf(GATEWAY));
  }

  /** The address of the {@code n}th host, {@code n} from 1 to {@value #MAX_HOSTS}. */
  static InetAddress host(Cidr subnet, int n) {
    if (n < 1 || n > MAX_HOSTS) {
      throw new IllegalArgumentException("host number out of range: " + n);
    }
    return subnet.addressAt(BigInteger.valueOf(n));
  }
}

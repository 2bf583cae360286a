package dev.converge.frr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.driver.Readiness;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a router has converged to: its OSPF neighbours ({@code show ip ospf neighbor json}) and the IPv4 prefixes in
 * its kernel routing tables ({@code ip -j route show table all} on Linux, {@code netstat -rn --libxo json} on
 * FreeBSD). Both list the host's own addresses too (Linux in its local table, FreeBSD as host routes on lo0): an
 * address the host holds itself is reachable, even while OSPF still prefers the connected route over a neighbour
 * advertising the same /32 (an address moving away from this host).
 */
record RoutingState(List<Neighbor> neighbors, Set<String> kernelRoutes) {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ROUTES_MARKER = "@@ routes";

  /**
   * One adjacency as ospfd reports it.
   *
   * @param interfaceName the local interface (FRR's {@code ifaceName} is {@code ifname:localaddress})
   * @param state {@code nbrState}: {@code Full/-}, {@code Full/DR}, {@code 2-Way/DROther}, {@code Init/-} …
   * @param role the neighbour's role on the segment
   * @param deadTimerDueMsec when the dead timer fires ({@code routerDeadIntervalTimerDueMsec}): every hello ospfd
   *     accepts resets it to the dead interval; -1 when not reported
   */
  record Neighbor(String routerId, String interfaceName, String state, String role, long deadTimerDueMsec) {

    Neighbor(String routerId, String interfaceName, String state, String role) {
      this(routerId, interfaceName, state, role, -1);
    }

    /**
     * Whether ospfd accepted a hello from this neighbour in the last {@code millis} ms: a neighbour whose hellos
     * stopped counting (its MD5 key no longer matches) stays Full until its dead timer fires.
     */
    boolean heardWithin(long millis, long deadSeconds) {
      return deadTimerDueMsec >= 0 && deadSeconds * 1000 - deadTimerDueMsec <= millis;
    }

    /** Full; or 2-Way between DROthers on a broadcast segment, where that is where RFC 2328 stops. */
    boolean adjacent() {
      return state.startsWith("Full") || (state.startsWith("2-Way") && role.equals("DROther"));
    }
  }

  RoutingState {
    neighbors = List.copyOf(neighbors);
    kernelRoutes = Set.copyOf(kernelRoutes);
  }

  /** Parses the output of {@link FrrPlatform#readiness()}. */
  static RoutingState parse(String output, FrrPlatform platform) {
    int marker = output.indexOf(ROUTES_MARKER);
    if (marker < 0) {
      throw new IllegalArgumentException("no routes section in the readiness output");
    }
    String neighbors = output.substring(0, marker);
    String routes = output.substring(marker + ROUTES_MARKER.length());
    return new RoutingState(neighbors(neighbors), platform.isFreeBsd() ? netstatRoutes(routes) : ipRoutes(routes));
  }

  static List<Neighbor> neighbors(String json) {
    if (json.strip().startsWith("%")) {
      // "% No OSPF instance found": ospfd runs without a router ospf yet
      return List.of();
    }
    JsonNode root = read(json, "show ip ospf neighbor json");
    List<Neighbor> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> byId : root.path("neighbors").properties()) {
      for (JsonNode n : byId.getValue()) {
        String iface = n.path("ifaceName").asText("");
        int colon = iface.indexOf(':');
        out.add(new Neighbor(byId.getKey(), colon < 0 ? iface : iface.substring(0, colon),
            n.path("nbrState").asText(n.path("state").asText("")), n.path("role").asText(""),
            n.path("routerDeadIntervalTimerDueMsec").asLong(-1)));
      }
    }
    return out;
  }

  /** {@code ip -j route}: host routes print without their {@code /32}, the default route as {@code default}. */
  static Set<String> ipRoutes(String json) {
    Set<String> out = new TreeSet<>();
    for (JsonNode r : read(json, "ip -j route")) {
      out.add(normalise(r.path("dst").asText("")));
    }
    return out;
  }

  /** {@code netstat -rn -4 --libxo json}: destinations are {@code default}, {@code a.b.c.d/n} or bare hosts. */
  static Set<String> netstatRoutes(String json) {
    Set<String> out = new TreeSet<>();
    JsonNode families = read(json, "netstat --libxo json").path("statistics").path("route-information")
        .path("route-table").path("rt-family");
    for (JsonNode family : families) {
      for (JsonNode e : family.path("rt-entry")) {
        out.add(normalise(e.path("destination").asText("")));
      }
    }
    return out;
  }

  private static String normalise(String destination) {
    if (destination.equals("default")) {
      return "0.0.0.0/0";
    }
    return destination.contains("/") ? destination : destination + "/32";
  }

  private static JsonNode read(String json, String what) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " did not print JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Ready when every neighbour {@code router} expects is adjacent on its interface and every route it expects is in
   * the kernel table; otherwise names the first neighbours and routes missing.
   */
  Readiness readinessOf(OspfRouter router) {
    return readinessOf(router, Set.of(), Long.MAX_VALUE);
  }

  /**
   * As {@link #readinessOf(OspfRouter)}, where on the {@code changed} interfaces (whose key, timers or type changed
   * {@code millisSinceChange} ago) a neighbour counts only once ospfd has accepted a hello from it since: until its
   * dead timer fires, a neighbour that no longer authenticates still shows as Full.
   */
  Readiness readinessOf(OspfRouter router, Set<String> changed, long millisSinceChange) {
    List<String> missing = new ArrayList<>();
    router.neighbors().forEach((ifname, peer) -> {
      List<Neighbor> seen = neighbors.stream()
          .filter(n -> n.routerId().equals(peer) && n.interfaceName().equals(ifname)).toList();
      long dead = router.interfaces().containsKey(ifname)
          ? router.interfaces().get(ifname).dead().orElse(OspfRouterDriver.DEFAULT_DEAD_SECONDS)
          : OspfRouterDriver.DEFAULT_DEAD_SECONDS;
      boolean fresh = !changed.contains(ifname) || seen.stream().anyMatch(n -> n.heardWithin(millisSinceChange, dead));
      if (seen.stream().noneMatch(Neighbor::adjacent)) {
        missing.add("neighbour " + peer + " on " + ifname + " Full (" + (seen.isEmpty() ? "not seen"
            : "is " + seen.get(0).state()) + ")");
      } else if (!fresh) {
        missing.add("neighbour " + peer + " on " + ifname + " Full (no hello accepted since its interface changed)");
      }
    });
    List<String> routes = router.routes().stream().filter(r -> !kernelRoutes.contains(r)).toList();
    if (!routes.isEmpty()) {
      missing.add("route" + (routes.size() == 1 ? " " : "s ") + String.join(", ", routes.subList(0,
          Math.min(5, routes.size()))) + (routes.size() > 5 ? " and " + (routes.size() - 5) + " more" : "")
          + " in the kernel table");
    }
    return missing.isEmpty() ? Readiness.READY : Readiness.waitingFor(String.join("; ", missing));
  }
}

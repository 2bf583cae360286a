package dev.converge.frr;

import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import java.util.List;
import java.util.Map;

/** Desired {@code ospf-router} properties, as the compiler emits them per the network contract. */
final class Routers {

  private Routers() {}

  static Map<String, Object> link(String key) {
    return Map.of("area", "0.0.0.0", "network-type", "point-to-point", "hello", 1L, "dead", 3L,
        "md5-key", new Sensitive(key), "passive", false);
  }

  /** fx2 of the captures: the middle of the chain fx1 - fx2 - fx3. */
  static Properties fx2() {
    return Properties.of(Map.of(
        "router-id", "10.0.0.2",
        "interfaces", Map.of(
            "backbo-fx1", link("secret1"),
            "backbo-fx3", link("secret1"),
            "lo1", Map.of("area", "0.0.0.0", "hello", 1L, "passive", true)),
        "networks", Map.of("10.0.0.2/32", "0.0.0.0", "172.16.2.0/30", "0.0.0.0", "172.16.2.4/30", "0.0.0.0"),
        "neighbors", Map.of("backbo-fx1", "10.0.0.1", "backbo-fx3", "10.0.0.3"),
        "routes", List.of("10.0.0.1/32", "10.0.0.3/32"),
        "fast-convergence", false,
        "redistribute", List.of()));
  }

  static OspfRouter withInterface(OspfRouter r, String name, OspfRouter.OspfInterface i) {
    var interfaces = new java.util.TreeMap<>(r.interfaces());
    interfaces.put(name, i);
    return new OspfRouter(r.routerId(), interfaces, r.networks(), r.fastConvergence(), r.neighbors(), r.routes(),
        r.redistribute());
  }

  static OspfRouter withNetwork(OspfRouter r, String cidr) {
    var networks = new java.util.TreeMap<>(r.networks());
    networks.put(cidr, "0.0.0.0");
    return new OspfRouter(r.routerId(), r.interfaces(), networks, r.fastConvergence(), r.neighbors(), r.routes(),
        r.redistribute());
  }

  /**
   * r2 of the redistribution captures ({@code running-config-redistribute-*.txt}): linked to r1, fast convergence,
   * redistributing {@code prefixes} (a jail's /32 behind {@code vj-web}).
   */
  static OspfRouter redistributingR2(List<String> prefixes) {
    return OspfRouter.of(Properties.of(Map.of(
        "router-id", "10.0.0.2",
        "interfaces", Map.of(
            "backbo-r1", Map.of("area", "0.0.0.0", "network-type", "point-to-point", "hello", 1L, "dead", 3L,
                "passive", false),
            "lo1", Map.of("area", "0.0.0.0", "passive", true)),
        "networks", Map.of("10.0.0.2/32", "0.0.0.0", "172.16.3.0/30", "0.0.0.0"),
        "fast-convergence", true,
        "redistribute", prefixes)), "ospf-router ospf on r2");
  }

  static OspfRouter fx2Router() {
    return OspfRouter.of(fx2(), "ospf-router ospf on fx2");
  }
}

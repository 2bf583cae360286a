package dev.converge.spec;

/**
 * What compiling networks and OSPF needs from the hosts, checked once every section is bound: a host with an address
 * in a {@code nat: true} network has an {@code external-interface} to NAT on, and every host taking part in an OSPF
 * area has an IPv4 {@code loopback} to use as its router id.
 */
final class NetworkChecks {

  private NetworkChecks() {}

  static void check(Binding b) {
    for (Network net : b.networks.values()) {
      if (!net.nat()) {
        continue;
      }
      net.addresses().forEach((host, addresses) -> {
        Host h = b.hosts.get(host);
        if (h != null && !addresses.isEmpty() && h.externalInterface().isEmpty()) {
          b.problems.error(net.location(), "network `" + net.name() + "` has `nat: true` and an address on host `"
              + host + "`, which has no `external-interface`: expected the host to name the interface NAT goes"
              + " out of, such as external-interface: vtnet0");
        }
      });
    }
    for (Ospf.Area area : b.areas.values()) {
      for (String host : area.members(b.networks)) {
        Host h = b.hosts.get(host);
        if (h == null) {
          continue;
        }
        String problem = h.loopback().isEmpty() ? "has no `loopback`"
            : h.loopback().get().isIpv4() ? null : "has an IPv6 `loopback` (" + h.loopback().get() + ")";
        if (problem != null) {
          b.problems.error(area.location(), "OSPF area `" + area.id() + "` takes in host `" + host + "`, which "
              + problem + ": expected an IPv4 /32 such as loopback: 10.0.0.1/32, the host's router id");
        }
      }
    }
  }
}

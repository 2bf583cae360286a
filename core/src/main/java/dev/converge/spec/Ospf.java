package dev.converge.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/** OSPF areas of the site, keyed by normalised area id ({@code 0.0.0.0}). */
public record Ospf(SortedMap<String, Area> areas) {

  public static final Ospf NONE = new Ospf(Map.of());

  public Ospf(Map<String, Area> areas) {
    this(ImmutableMaps.sorted(areas));
  }

  public Ospf {
    areas = ImmutableMaps.sorted(areas);
  }

  /**
   * One area.
   *
   * @param md5Key the secret holding the MD5 authentication key, if the area authenticates
   * @param networks networks advertised in the area
   * @param hosts hosts taking part; empty means {@code all}
   * @param helloInterval seconds; empty for FRR's default
   * @param deadInterval seconds; empty for FRR's default
   * @param linkType {@code point-to-point} or {@code broadcast} for the area's link interfaces
   * @param fastConvergence whether the area's routers drop FRR's LSA and SPF throttles, for labs and small sites
   */
  public record Area(
      String id,
      Location location,
      Optional<String> md5Key,
      List<String> networks,
      List<String> hosts,
      Optional<Integer> helloInterval,
      Optional<Integer> deadInterval,
      Optional<String> linkType,
      boolean fastConvergence) {
    public Area {
      networks = List.copyOf(networks);
      hosts = List.copyOf(hosts);
    }

    public boolean allHosts() {
      return hosts.isEmpty();
    }

    /**
     * The hosts taking part: those listed, or with {@code all} every host on the area's networks (an end of one of
     * their links, or holding one of their addresses).
     */
    public SortedSet<String> members(Map<String, Network> siteNetworks) {
      if (!allHosts()) {
        return new TreeSet<>(hosts);
      }
      SortedSet<String> members = new TreeSet<>();
      for (String name : networks) {
        Network net = siteNetworks.get(name);
        if (net == null) {
          continue;
        }
        net.links().forEach(l -> {
          members.add(l.a());
          members.add(l.b());
        });
        net.addresses().forEach((host, addresses) -> {
          if (!addresses.isEmpty()) {
            members.add(host);
          }
        });
      }
      return members;
    }
  }
}

package dev.converge.lab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code lab.json} records: everything the lab made, written before it is made (a host's {@code pid} is 0
 * until its init runs), so that {@code down} after a crash finds it all. Immutable.
 *
 * @param site the site and {@code id} the {@link LabNames} the lab was made with
 * @param stateDirectory the state directory, absolute
 * @param subnet the management network, e.g. {@code 10.250.17.0/24}
 * @param bridge the bridge in the root namespace
 * @param hosts by host name
 * @param links the veth pairs between hosts, sorted
 */
record LabState(
    int version,
    String site,
    String id,
    String stateDirectory,
    String subnet,
    String bridge,
    SortedMap<String, HostRecord> hosts,
    List<LinkRecord> links) {

  static final int VERSION = 1;

  LabState {
    hosts = Collections.unmodifiableSortedMap(new TreeMap<>(hosts == null ? Map.of() : hosts));
    links = links == null ? List.of() : links.stream().sorted().toList();
  }

  /**
   * One lab host.
   *
   * @param address its management address, e.g. {@code 10.250.17.1}
   * @param pid the {@code unshare} process that holds the host's namespaces; killing it removes the host; 0 if not
   *     started yet
   * @param startTime that process's start time (clock ticks after boot), to tell a reused PID apart
   */
  record HostRecord(String netns, String veth, String address, long pid, long startTime) {
    HostRecord started(long newPid, long newStartTime) {
      return new HostRecord(netns, veth, address, newPid, newStartTime);
    }
  }

  /** A veth pair between hosts {@code a} and {@code b} for {@code network}, with each end's interface name. */
  record LinkRecord(String network, String a, String b, String interfaceA, String interfaceB)
      implements Comparable<LinkRecord> {
    @Override
    public int compareTo(LinkRecord o) {
      return key().compareTo(o.key());
    }

    boolean touches(String host) {
      return a.equals(host) || b.equals(host);
    }

    private String key() {
      return network + " " + a + " " + b;
    }
  }

  static LabState empty(LabNames names, String stateDirectory) {
    return new LabState(VERSION, names.site(), names.id(), stateDirectory, null, names.bridge(), new TreeMap<>(),
        List.of());
  }

  LabNames names() {
    return new LabNames(site, id);
  }

  Optional<String> subnetIfChosen() {
    return Optional.ofNullable(subnet);
  }

  LabState withSubnet(String newSubnet) {
    return new LabState(version, site, id, stateDirectory, newSubnet, bridge, hosts, links);
  }

  LabState withHost(String name, HostRecord host) {
    SortedMap<String, HostRecord> all = new TreeMap<>(hosts);
    all.put(name, host);
    return new LabState(version, site, id, stateDirectory, subnet, bridge, all, links);
  }

  LabState withoutHost(String name) {
    SortedMap<String, HostRecord> all = new TreeMap<>(hosts);
    all.remove(name);
    List<LinkRecord> kept = links.stream().filter(l -> !l.touches(name)).toList();
    return new LabState(version, site, id, stateDirectory, subnet, bridge, all, kept);
  }

  LabState withLink(LinkRecord link) {
    List<LinkRecord> all = new ArrayList<>(links);
    all.remove(link);
    all.add(link);
    return new LabState(version, site, id, stateDirectory, subnet, bridge, hosts, all);
  }

  LabState withoutLink(LinkRecord link) {
    List<LinkRecord> all = new ArrayList<>(links);
    all.remove(link);
    return new LabState(version, site, id, stateDirectory, subnet, bridge, hosts, all);
  }
}

package dev.converge.lab;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a lab looks like right now, checked against the machine (not just what lab.json says).
 *
 * @param prefix the lab's name prefix ({@code cv-<site>-<id>}): its namespaces are {@code PREFIX-HOST}
 * @param subnet the management network, once chosen
 * @param up the bridge exists and every host of the spec is up and answers SSH
 * @param hosts the spec's hosts, then any host the lab still has that the spec no longer names; by name
 */
public record LabStatus(String prefix, Optional<String> subnet, boolean up, List<HostStatus> hosts) {

  public LabStatus {
    hosts = List.copyOf(hosts);
  }

  /** The status of host {@code name}, if the spec or the lab has it. */
  public Optional<HostStatus> host(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
  }

  /**
   * One lab host.
   *
   * @param up its namespaces exist and its init (sshd, PID 1 inside) runs
   * @param pid the process holding the host's namespaces ({@code unshare}; killing it removes the host)
   * @param address its management address
   * @param sshReachable its sshd accepted a TCP connection and sent its SSH banner
   * @param inSpec the spec names it (a host the spec dropped stays until the next {@code up} or {@code down})
   */
  public record HostStatus(
      String name, boolean up, OptionalLong pid, Optional<String> address, boolean sshReachable, boolean inSpec) {}
}

package dev.converge.spec;

import java.util.Optional;

/**
 * A machine of the site. {@code transport: local} is the machine converge runs on; any other host is reached over
 * SSH at {@code address} (an IP literal or a DNS name, never resolved while loading), through {@code via} if set.
 *
 * @param os {@code linux} (the default) or {@code freebsd}
 * @param loopback the host's own /32 (router id for OSPF)
 * @param resolver a host, a jail or an address the host should use for DNS
 * @param externalInterface the interface outbound NAT uses
 * @param routingDaemon {@code frr} (the default) or {@code quagga}: which suite runs the host's OSPF router
 * @param basics hostname, sysctls, repositories, packages, users, services
 * @param wireguard the host's WireGuard key pair, needed on hosts with a link on a {@code tunnel: wireguard} network
 */
public record Host(
    String name,
    Location location,
    String os,
    TransportKind transport,
    Optional<String> address,
    Ssh ssh,
    Optional<String> via,
    Optional<Cidr> loopback,
    Optional<String> resolver,
    Optional<String> externalInterface,
    String routingDaemon,
    HostBasics basics,
    Optional<WireGuard> wireguard) {

  /** The routing suite a host runs unless it says otherwise. */
  public static final String FRR = "frr";
  /** Quagga, the suite of the FreeBSD hosts of the seed (zebra.conf and ospfd.conf). */
  public static final String QUAGGA = "quagga";

  /** How converge reaches a host. */
  public enum TransportKind {
    LOCAL,
    SSH
  }

  /** A local host named {@code name}, for fixtures built in code. */
  public static Host local(String name) {
    return new Host(name, Location.unknown(), "linux", TransportKind.LOCAL, Optional.empty(), Ssh.DEFAULTS,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), FRR, HostBasics.NONE,
        Optional.empty());
  }

  public boolean isLocal() {
    return transport == TransportKind.LOCAL;
  }

  /**
   * A host's WireGuard identity: the private key only by reference to a secret, the public key (which peers
   * configure) in the spec.
   *
   * @param privateKey the name of the secret holding the base64 private key
   * @param publicKey the base64 public key
   */
  public record WireGuard(String privateKey, String publicKey, Location location) {}
}

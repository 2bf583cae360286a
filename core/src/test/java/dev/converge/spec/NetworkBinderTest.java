package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code networks:}: loopback, bridge and links networks, their addresses and links. */
class NetworkBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String networks) {
    return new SpecFixture(dir).file("site.yaml", """
        site: test
        hosts:
          mgmt: { transport: local }
          server1: { address: 192.0.2.1, external-interface: eth0 }
          server2: { address: 192.0.2.2 }
          server3: { address: 192.0.2.3 }
        networks:
        """ + networks.indent(2));
  }

  @Test
  void aLoopbackNetwork_withHostAddresses() {
    Network n = spec("""
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24, nat: true,
                 addresses: { server1: [172.16.3.1, 172.16.3.0] } }
        """).spec().networks().get("jails");
    assertThat(n.kind()).isEqualTo(Network.Kind.LOOPBACK);
    assertThat(n.cidr()).isEqualTo(Cidr.parse("172.16.3.0/24"));
    assertThat(n.interfaceName()).contains("lo2");
    assertThat(n.nat()).isTrue();
    assertThat(n.addresses()).containsEntry("server1",
        List.of(InetAddresses.forString("172.16.3.1"), InetAddresses.forString("172.16.3.0")));
  }

  @Test
  void aNatNetwork_onAHostWithoutExternalInterface_isAnErrorNamingNetworkAndHost() {
    assertThat(spec("""
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24, nat: true,
                 addresses: { server1: [172.16.3.1], server2: [172.16.3.2] } }
        """).problems()).containsExactly("site.yaml:8:3: network `jails` has `nat: true` and an address on host"
        + " `server2`, which has no `external-interface`: expected the host to name the interface NAT goes out of,"
        + " such as external-interface: vtnet0");
  }

  @Test
  void aLinksNetwork_keepsItsPairsInOrder() {
    Network n = spec("""
        backbone: { kind: links, cidr: 172.16.2.0/29, links: [[server1, server2], [server3, server1]] }
        """).spec().networks().get("backbone");
    assertThat(n.links()).extracting(l -> l.a() + "-" + l.b()).containsExactly("server1-server2", "server3-server1");
    assertThat(n.interfaceName()).isEmpty();
    assertThat(n.nat()).isFalse();
  }

  @Test
  void kindAndCidr_areRequired() {
    assertThat(spec("lan: { interface: br0 }").problems()).containsExactly(
        "site.yaml:8:3: missing key `cidr` in network `lan`: expected a CIDR such as 10.0.0.0/24",
        "site.yaml:8:3: missing key `kind` in network `lan`: expected one of loopback, bridge, links");
  }

  @Test
  void cidrs_mustBeValidAndNormalised() {
    assertThat(spec("""
        a: { kind: bridge, interface: br0, cidr: 10.0.0.1/24 }
        b: { kind: bridge, interface: br1, cidr: 10.0.0.0/33 }
        c: { kind: bridge, interface: br2, cidr: 10.0.0.0 }
        d: { kind: bridge, interface: br3, cidr: "2001:db8::1/64" }
        e: { kind: bridge, interface: br4, cidr: 10.0.0.0/x }
        """).problems()).containsExactly(
        "site.yaml:8:44: `cidr` in network `a`: found `10.0.0.1/24`, which has host bits set: expected the network"
            + " address `10.0.0.0/24`",
        "site.yaml:9:44: `cidr` in network `b`: found `10.0.0.0/33`, expected a prefix length 0-32",
        "site.yaml:10:44: `cidr` in network `c`: found `10.0.0.0`, expected a CIDR such as 10.0.0.0/24",
        "site.yaml:11:44: `cidr` in network `d`: found `2001:db8::1/64`, which has host bits set: expected the"
            + " network address `2001:db8::/64`",
        "site.yaml:12:44: `cidr` in network `e`: found `10.0.0.0/x`, expected a CIDR such as 10.0.0.0/24");
  }

  @Test
  void interface_isRequiredForLoopbackAndBridge_forbiddenForLinks() {
    assertThat(spec("""
        a: { kind: loopback, cidr: 10.1.0.0/24 }
        b: { kind: links, cidr: 10.2.0.0/24, interface: tap0, addresses: { server1: [10.2.0.1] } }
        c: { kind: bridge, cidr: 10.3.0.0/24, interface: br0, links: [] }
        """).problems()).containsExactly(
        "site.yaml:8:3: missing key `interface` in network `a`: expected an interface name: a letter, then"
            + " letters, digits, `_`, `.` or `-` (at most 15 characters)",
        "site.yaml:9:51: `interface` in network `b`: found `tap0`, expected no `interface` in a links network"
            + " (each link gets its own interfaces)",
        "site.yaml:9:68: `addresses` in network `b`: found a map, expected no `addresses` in a links network"
            + " (addresses come from the /30 of each link)",
        "site.yaml:10:64: `links` in network `c`: found a list, expected no `links` in a bridge network (only"
            + " links networks have links)");
  }

  @Test
  void addresses_belongToDefinedHosts_andLieInsideTheCidr() {
    assertThat(spec("""
        lan:
          kind: bridge
          interface: br0
          cidr: 10.1.0.0/24
          addresses:
            server1: [10.1.0.1, 10.2.0.1, 10.1.0.0, 10.1.0.255, not-an-ip]
            server9: [10.1.0.9]
            server2: 10.1.0.2
        """).problems()).containsExactly(
        "site.yaml:13:27: `addresses.server1[1]` in network `lan`: found `10.2.0.1`, expected an address inside"
            + " 10.1.0.0/24",
        "site.yaml:13:37: `addresses.server1[2]` in network `lan`: found `10.1.0.0`, expected an address inside"
            + " 10.1.0.0/24 other than its network and broadcast addresses",
        "site.yaml:13:47: `addresses.server1[3]` in network `lan`: found `10.1.0.255`, expected an address inside"
            + " 10.1.0.0/24 other than its network and broadcast addresses",
        "site.yaml:13:59: `addresses.server1[4]` in network `lan`: found `not-an-ip`, expected an IP address"
            + " inside 10.1.0.0/24",
        "site.yaml:14:7: `addresses.server9` in network `lan`: found `server9`, expected a host defined in the"
            + " spec — did you mean `server1`?",
        "site.yaml:15:16: `addresses.server2` in network `lan`: found `10.1.0.2`, expected a list of addresses"
            + " inside 10.1.0.0/24, such as [10.1.0.1]");
  }

  @Test
  void links_joinTwoDifferentDefinedHostsOnce() {
    assertThat(spec("""
        backbone:
          kind: links
          cidr: 172.16.2.0/24
          links:
            - [server1, server2]
            - [server2, server1]
            - [server3, server3]
            - [server1, server4]
            - [server1]
            - server1
        """).problems()).containsExactly(
        "site.yaml:13:9: `links[1]` in network `backbone`: found the link between `server2` and `server1` a second"
            + " time: expected each pair of hosts once (first at line 12)",
        "site.yaml:14:9: `links[2]` in network `backbone`: found a link from `server3` to itself: expected two"
            + " different hosts",
        "site.yaml:15:19: `links[3][1]` in network `backbone`: found `server4`, expected a host defined in the"
            + " spec — did you mean `server1`?",
        "site.yaml:16:9: `links[4]` in network `backbone`: found a list of 1, expected a pair of hosts such as"
            + " [server1, server2]",
        "site.yaml:17:9: `links[5]` in network `backbone`: found `server1`, expected a pair of hosts such as"
            + " [server1, server2]");
  }

  @Test
  void aLinksCidr_mustHoldASlash30PerLink() {
    assertThat(spec("""
        backbone: { kind: links, cidr: 172.16.2.0/29,
                    links: [[server1, server2], [server2, server3], [server1, server3]] }
        """).problems()).containsExactly("site.yaml:9:22: `links` in network `backbone`: found 3 links, but"
        + " 172.16.2.0/29 holds only 2 /30 subnets: expected a larger cidr or at most 2 links");
  }

  @Test
  void aLinksNetwork_isIpv4() {
    assertThat(spec("backbone: { kind: links, cidr: \"2001:db8::/64\", links: [[server1, server2]] }")
        .problems()).containsExactly("site.yaml:8:34: `cidr` in network `backbone`: found an IPv6 prefix, expected"
        + " an IPv4 prefix for a links network (each link gets a /30)");
  }

  @Test
  void kind_isOneOfThree() {
    assertThat(spec("lan: { kind: vlan, cidr: 10.0.0.0/24 }").problems()).containsExactly(
        "site.yaml:8:16: `kind` in network `lan`: found `vlan`, expected one of loopback, bridge, links");
  }

  @Test
  void nat_isABoolean() {
    assertThat(spec("lan: { kind: loopback, interface: lo1, cidr: 10.0.0.0/24, nat: yes }").problems())
        .containsExactly("site.yaml:8:66: `nat` in network `lan`: found `yes`, expected true or false");
    assertThat(spec("lan: { kind: loopback, interface: lo1, cidr: 10.0.0.0/24 }").spec().networks().get("lan")
        .interfaceName()).isEqualTo(Optional.of("lo1"));
  }

  @Test
  void twoLinksOfOneHost_mustNotGetTheSameInterfaceName() {
    assertThat(new SpecFixture(dir).file("site.yaml", """
        site: test
        hosts:
          server1: { address: 192.0.2.1 }
          server2-ams: { address: 192.0.2.2 }
          server2-fra: { address: 192.0.2.3 }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[server1, server2-ams], [server1, server2-fra]] }
        """).problems()).containsExactly(
        "site.yaml:7:81: `links` in network `backbone`: on host `server1`, the link to `server2-fra` of network"
            + " `backbone` (line 7) gets interface `backbo-server2-`, which the link to `server2-ams` of network"
            + " `backbone` (line 7) already has: expected names that differ in their first 6 (network) or 8 (host)"
            + " characters");
  }

  @Test
  void aLinkInterfaceIsNamedAfterNetworkAndPeer() {
    Network n = new SpecFixture(dir).file("site.yaml", """
        site: test
        hosts:
          server1: { address: 192.0.2.1 }
          server2: { address: 192.0.2.2 }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[server1, server2]] }
        """).spec().networks().get("backbone");
    assertThat(n.linkInterface("server2")).isEqualTo("backbo-server2");
    assertThat(n.linkInterface("server1")).isEqualTo("backbo-server1");
  }
}

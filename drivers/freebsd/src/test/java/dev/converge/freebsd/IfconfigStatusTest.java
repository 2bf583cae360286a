package dev.converge.freebsd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ifconfig's text in the forms sbin/ifconfig/af_inet.c prints and the Handbook shows (driver-facts §2). */
class IfconfigStatusTest {

  @Test
  void aClonedLoopback_withHexNetmasks() {
    IfconfigStatus s = IfconfigStatus.parse(List.of(
        "lo1: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384",
        "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>",
        "\tinet 172.31.255.17 netmask 0xffffffff",
        "\tinet 10.0.0.1 netmask 0xffffffff",
        "\tgroups: lo",
        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>"));

    assertThat(s.type()).isEqualTo("loopback");
    assertThat(s.up()).isTrue();
    assertThat(s.addresses()).extracting(InterfaceAddress::toString)
        .containsExactly("172.31.255.17/32", "10.0.0.1/32");
  }

  @Test
  void aBridge_withBroadcastAndItsMembersLines() {
    IfconfigStatus s = IfconfigStatus.parse(List.of(
        "bridge1: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500",
        "\tether 96:3d:4b:f1:79:7a",
        "\tinet 10.1.0.1 netmask 0xffffff00 broadcast 10.1.0.255",
        "\tid 00:01:02:4b:d4:50 priority 32768 hellotime 2 fwddelay 15",
        "\troot id 00:01:02:4b:d4:50 priority 32768 ifcost 400000 port 3",
        "\tmember: fxp0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>",
        "\tgroups: bridge",
        "\tnd6 options=9<PERFORMNUD,IFDISABLED>"));

    assertThat(s.type()).isEqualTo("bridge");
    assertThat(s.addresses()).extracting(InterfaceAddress::toString).containsExactly("10.1.0.1/24");
  }

  @Test
  void aPointToPointLink_inBothNetmaskAndCidrForms_isALink() {
    IfconfigStatus s = IfconfigStatus.parse(List.of(
        "gre0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> metric 0 mtu 1476",
        "\ttunnel inet 198.51.100.11 --> 198.51.100.12",
        "\tinet 172.16.2.1 --> 172.16.2.2 netmask 0xfffffffc",
        "\tinet 172.16.9.1 --> 172.16.9.2/30",
        "\tinet6 fe80::1%gre0 prefixlen 64 scopeid 0x5",
        "\tgroups: gre"));

    assertThat(s.type()).isEqualTo("link");
    assertThat(s.addresses()).extracting(InterfaceAddress::toString)
        .containsExactly("172.16.2.1/30", "172.16.9.1/30");
  }

  @Test
  void theCidrForm_andAVhid() {
    IfconfigStatus s = IfconfigStatus.parse(List.of(
        "vtnet0: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500",
        "\tinet 198.51.100.11/24 broadcast 198.51.100.255",
        "\tinet 198.51.100.20 netmask 0xffffff00 broadcast 198.51.100.255 vhid 1",
        "\tgroups: vtnet"));

    assertThat(s.addresses()).extracting(InterfaceAddress::toString)
        .containsExactly("198.51.100.11/24", "198.51.100.20/24");
  }

  @Test
  void anInterfaceWithoutTheUpFlag_isDown() {
    IfconfigStatus s = IfconfigStatus.parse(List.of("lo2: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384",
        "\tgroups: lo"));

    assertThat(s.up()).isFalse();
    assertThat(s.addresses()).isEmpty();
  }

  @Test
  void aMaskThatIsNotContiguous_isNotAnAddressConvergeCanName() {
    assertThat(InterfaceAddress.maskLength("0xff00ff00")).isEmpty();
    assertThat(InterfaceAddress.maskLength("255.255.255.252")).contains(30);
    assertThat(InterfaceAddress.maskLength("0x0")).contains(0);
  }
}

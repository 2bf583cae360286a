package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.spec.Cidr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code ip -j -d addr show} as captured in a network namespace on this Debian 12 machine. */
class IpInterfaceTest {

  private final Map<String, IpInterface> interfaces = IpInterface.parse(Captured.read("ip-addr-detailed-debian12.json"));

  @Test
  void everyInterfaceIsReadWithItsKindStateAndAddresses() {
    assertThat(interfaces.keySet()).containsExactly("lo", "lo1", "br1", "backbo-server1", "backbo-server2", "lo3");
    assertThat(interfaces.get("lo1")).isEqualTo(new IpInterface("lo1", Optional.of("ifb"), true, false, List.of(
        InterfaceAddress.parse("10.0.0.1/32"), InterfaceAddress.parse("192.168.77.1/32"),
        InterfaceAddress.parse("fe80::7c82:94ff:fe79:7f2e/64")), Map.of()));
    assertThat(interfaces.get("br1").kind()).contains("bridge");
    assertThat(interfaces.get("backbo-server2").kind()).contains("veth");
    assertThat(interfaces.get("backbo-server2").addresses()).first().hasToString("172.16.2.1/30");
  }

  @Test
  void lo_hasNoKindButTheLoopbackFlag_andADownBridgeIsNotUp() {
    assertThat(interfaces.get("lo").kind()).isEmpty();
    assertThat(interfaces.get("lo").loopback()).isTrue();
    assertThat(interfaces.get("lo3").up()).isFalse();
    assertThat(interfaces.get("br1").up()).isTrue();
  }

  @Test
  void anAddressIsWithinAPrefix_byItsAddressNotItsPrefixLength() {
    assertThat(InterfaceAddress.parse("172.16.2.1/30").within(Cidr.parse("172.16.2.0/24"))).isTrue();
    assertThat(InterfaceAddress.parse("192.168.77.1/32").within(Cidr.parse("10.0.0.1/32"))).isFalse();
  }

  @Test
  void somethingElseThanIpsJson_isRefusedSayingWhatWasExpected() {
    assertThatThrownBy(() -> IpInterface.parse("Object \"addr\" is unknown")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("printed no JSON");
    assertThatThrownBy(() -> InterfaceAddress.parse("10.0.0.1")).hasMessageContaining("is not an address with a"
        + " prefix length such as 172.16.2.1/30");
  }
}

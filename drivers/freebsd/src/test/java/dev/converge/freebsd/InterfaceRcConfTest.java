package dev.converge.freebsd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.spec.Cidr;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rc.conf values as `sysrc -a` prints them (`name: value`) and the edits that keep them gapless (§1). */
class InterfaceRcConfTest {

  private static final List<Cidr> JAILS = List.of(Cidr.parse("172.16.3.0/24"));

  private static InterfaceAddress a(String text) {
    return InterfaceAddress.parse(text);
  }

  @Test
  void readsTheSeedsLayout_stickyClonesAndTheInterfacesOwnVariablesOnly() {
    InterfaceRcConf rc = InterfaceRcConf.of("lo1", List.of(
        "cloned_interfaces: lo1:sticky bridge1",
        "ifconfig_lo1: inet 10.0.0.1/32",
        "ifconfig_lo1_alias1: inet 172.16.3.5 netmask 0xffffffff",
        "ifconfig_lo1_alias0: 172.16.3.4/32",
        "ifconfig_lo10_alias0: inet 172.16.3.9/32",
        "ifconfig_vtnet0: DHCP"));

    assertThat(rc.cloned()).isTrue();
    assertThat(rc.main()).contains("inet 10.0.0.1/32");
    assertThat(rc.aliases()).containsOnlyKeys(0, 1);
    assertThat(rc.addresses()).extracting(InterfaceAddress::toString)
        .containsExactly("10.0.0.1/32", "172.16.3.4/32", "172.16.3.5/32");
  }

  @Test
  void variableNames_turnPunctuationIntoUnderscores() {
    assertThat(InterfaceRcConf.variable("backbo-server2")).isEqualTo("ifconfig_backbo_server2");
    assertThat(InterfaceRcConf.variable("em0.100")).isEqualTo("ifconfig_em0_100");
  }

  @Test
  void addingToAnInterfaceWithoutVariables_appendsAliasesFromZero() {
    InterfaceRcConf rc = InterfaceRcConf.of("lo2", List.of("cloned_interfaces: lo1"));

    InterfaceRcConf.Edit edit = rc.edit(List.of(a("172.16.3.2/32"), a("172.16.3.1/32")), JAILS);

    assertThat(edit.set()).containsExactly(
        Map.entry("ifconfig_lo2_alias0", "inet 172.16.3.1/32"),
        Map.entry("ifconfig_lo2_alias1", "inet 172.16.3.2/32"));
    assertThat(edit.unset()).isEmpty();
  }

  @Test
  void removingAManagedAlias_renumbersTheRestWithoutGaps_andKeepsOthersValues() {
    InterfaceRcConf rc = InterfaceRcConf.of("lo2", List.of(
        "ifconfig_lo2_alias0: inet 172.16.3.1/32",
        "ifconfig_lo2_alias1: inet 192.0.2.7/32",
        "ifconfig_lo2_alias3: inet 172.16.3.2/32"));

    InterfaceRcConf.Edit edit = rc.edit(List.of(a("172.16.3.2/32")), JAILS);

    assertThat(edit.set()).containsExactly(
        Map.entry("ifconfig_lo2_alias0", "inet 192.0.2.7/32"),
        Map.entry("ifconfig_lo2_alias1", "inet 172.16.3.2/32"));
    assertThat(edit.unset()).containsExactly("ifconfig_lo2_alias3");
  }

  @Test
  void whatBootAlreadyGives_isNoEdit() {
    InterfaceRcConf rc = InterfaceRcConf.of("lo1", List.of("ifconfig_lo1: inet 10.0.0.1/32",
        "ifconfig_lo1_alias0: inet 172.16.3.1/32"));

    assertThat(rc.edit(List.of(a("10.0.0.1/32"), a("172.16.3.1/32")),
        List.of(Cidr.parse("10.0.0.1/32"), Cidr.parse("172.16.3.0/24"))).isEmpty()).isTrue();
  }

  @Test
  void aManagedAddressInTheInterfacesOwnVariable_isCutOutOfIt_leavingTheRest() {
    InterfaceRcConf rc = InterfaceRcConf.of("bridge1", List.of(
        "ifconfig_bridge1: addm em1 inet 10.1.0.1 netmask 0xffffff00 broadcast 10.1.0.255 up"));

    InterfaceRcConf.Edit edit = rc.edit(List.of(a("10.1.0.9/24")), List.of(Cidr.parse("10.1.0.0/24")));

    assertThat(edit.set()).containsExactly(
        Map.entry("ifconfig_bridge1", "addm em1 up"),
        Map.entry("ifconfig_bridge1_alias0", "inet 10.1.0.9/24"));
  }

  @Test
  void aWrongPrefix_isReplaced() {
    InterfaceRcConf rc = InterfaceRcConf.of("backbo-server2",
        List.of("ifconfig_backbo_server2_alias0: inet 172.16.2.1/29"));

    InterfaceRcConf.Edit edit = rc.edit(List.of(a("172.16.2.1/30")), List.of(Cidr.parse("172.16.2.0/24")));

    assertThat(edit.set()).containsExactly(Map.entry("ifconfig_backbo_server2_alias0", "inet 172.16.2.1/30"));
    assertThat(edit.unset()).isEmpty();
  }

  @Test
  void anAddressWithoutPrefix_isRefused() {
    assertThatThrownBy(() -> InterfaceAddress.parse("172.16.3.1"))
        .hasMessageContaining("`172.16.3.1` is not an IPv4 address with a prefix length");
    assertThatThrownBy(() -> InterfaceAddress.parse("2001:db8::1/64"))
        .hasMessageContaining("is not an IPv4 address");
  }
}

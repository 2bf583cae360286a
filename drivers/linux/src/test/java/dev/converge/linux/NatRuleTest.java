package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code nft -j list table ip converge} as captured on this Debian 12 machine (nftables 1.0.6). */
class NatRuleTest {

  @Test
  void converge_sRules_areReadByNetwork_withHandleInterfaceSourceAndMasquerade() {
    Map<String, List<NatRule>> rules = NatRule.parse(Captured.read("nft-converge-table-debian12.json"));

    assertThat(rules).containsOnlyKeys("jails", "vms", "odd");
    assertThat(rules.get("jails")).containsExactly(new NatRule(2, Optional.of("eth0"), Optional.of("172.16.3.0/24"),
        true));
    assertThat(rules.get("vms")).containsExactly(new NatRule(3, Optional.of("eth0"), Optional.of("10.1.0.0/24"), true));
  }

  @Test
  void aHandEditedRule_isReadAsItIs_aSingleAddressAsASlash32() {
    assertThat(NatRule.parse(Captured.read("nft-converge-table-debian12.json")).get("odd"))
        .containsExactly(new NatRule(4, Optional.empty(), Optional.of("10.9.0.1/32"), false));
  }
}

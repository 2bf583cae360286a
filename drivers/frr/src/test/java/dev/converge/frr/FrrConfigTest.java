package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.frr.OspfRouter.OspfInterface;
import dev.converge.plan.UnifiedDiff;
import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FrrConfigTest {

  private static final String BANNER = "Building configuration...\n\nCurrent configuration:\n!\n";
  private static final String HEADER = """
      frr version 8.4.4
      frr defaults traditional
      hostname fx2
      log file /var/log/frr/frr.log informational
      no ipv6 forwarding
      service integrated-vtysh-config
      """;

  @Test
  void rendersExactlyWhatFrrPrints_soThatAReprobeSeesNoDrift() {
    String running = Captured.read("running-config-fx2.txt");

    String rendered = FrrConfig.parse(HEADER).withOspf(Optional.of(Routers.fx2Router()), List.of()).render();

    assertThat(running).startsWith(BANNER);
    assertThat(rendered).isEqualTo(running.substring(BANNER.length()));
  }

  @Test
  void readsTheOwnedParts_ofARealRunningConfig() {
    OspfRouter seen = FrrConfig.parse(Captured.read("running-config-fx2.txt"))
        .ospf(List.of("backbo-fx1", "backbo-fx3", "lo1"));

    assertThat(seen.routerId()).isEqualTo("10.0.0.2");
    assertThat(seen.networks()).containsOnlyKeys("10.0.0.2/32", "172.16.2.0/30", "172.16.2.4/30")
        .allSatisfy((cidr, area) -> assertThat(area).isEqualTo("0.0.0.0"));
    assertThat(seen.interfaces().get("backbo-fx1")).isEqualTo(new OspfInterface(Optional.empty(),
        Optional.of("point-to-point"), OptionalLong.of(1), OptionalLong.of(3), Optional.of(new Sensitive("secret1")),
        false));
    assertThat(seen.interfaces().get("lo1").passive()).as("passive-interface default").isTrue();
  }

  @Test
  void anUnchangedConfig_rendersToTheSameText() {
    String running = Captured.read("running-config-fx2.txt");
    FrrConfig config = FrrConfig.parse(running);

    assertThat(config.withOspf(Optional.of(Routers.fx2Router()), List.of()).render())
        .isEqualTo(running.substring(BANNER.length()));
  }

  @Test
  void handAddedSections_andForeignLinesOfOwnedSections_areKeptAndNotReported() {
    String running = Captured.read("running-config-fx2.txt").replace("!\nend\n", """
        !
        interface mgmt9
         description hand made
         ip ospf cost 7
        exit
        !
        router bgp 65001
         bgp router-id 10.0.0.2
        exit
        !
        end
        """).replace(" ip ospf authentication message-digest\n ip ospf dead-interval 3\n",
        " ip ospf authentication message-digest\n ip ospf cost 30\n ip ospf dead-interval 3\n");
    FrrConfig config = FrrConfig.parse(running);

    String rendered = config.withOspf(Optional.of(Routers.fx2Router()), List.of()).render();

    assertThat(rendered).isEqualTo(running.substring(BANNER.length()));
    assertThat(config.ospf(List.of("backbo-fx1")).interfaces()).containsOnlyKeys("backbo-fx1");
  }

  @Test
  void aChangedTimer_changesOnlyItsLines() {
    FrrConfig config = FrrConfig.parse(Captured.read("running-config-fx2.txt"));
    OspfRouter slower = Routers.withInterface(Routers.fx2Router(), "backbo-fx3", new OspfInterface(Optional.of("0.0.0.0"), Optional.of("point-to-point"),
        OptionalLong.of(2), OptionalLong.of(8), Optional.of(new Sensitive("secret1")), false));

    String before = config.render();
    String after = config.withOspf(Optional.of(slower), List.of()).render();

    assertThat(UnifiedDiff.between(before, after)).filteredOn(l -> l.matches("^[-+].*"))
        .containsExactly("- ip ospf dead-interval 3", "- ip ospf hello-interval 1", "+ ip ospf dead-interval 8",
            "+ ip ospf hello-interval 2");
  }

  @Test
  void delete_removesRouterOspfAndOwnedInterfaceLines_keepingTheRest() {
    String running = Captured.read("running-config-fx2.txt")
        .replace("interface lo1\n", "interface lo1\n description services\n");

    String rendered = FrrConfig.parse(running).withOspf(Optional.empty(), List.of("backbo-fx1", "backbo-fx3", "lo1"))
        .render();

    assertThat(rendered).isEqualTo(HEADER + "!\ninterface lo1\n description services\nexit\n!\nend\n");
  }

  @Test
  void anInterfaceAreaLine_isReplacedByNetworkStatements_sinceFrrRefusesBoth() {
    FrrConfig config = FrrConfig.parse(HEADER + "!\ninterface backbo-fx1\n ip ospf area 0.0.0.0\nexit\n");

    String rendered = config.withOspf(Optional.of(Routers.fx2Router()), List.of()).render();

    assertThat(rendered).doesNotContain("ip ospf area").contains(" network 172.16.2.0/30 area 0.0.0.0");
  }

  @Test
  void networkStatements_followFrrsRouteTableOrder() {
    OspfRouter r = Routers.withNetwork(Routers.withNetwork(Routers.fx2Router(), "9.0.0.0/8"), "172.16.10.0/30");

    assertThat(FrrConfig.routerLines(r)).containsSubsequence(" network 9.0.0.0/8 area 0.0.0.0",
        " network 10.0.0.2/32 area 0.0.0.0", " network 172.16.2.4/30 area 0.0.0.0",
        " network 172.16.10.0/30 area 0.0.0.0");
  }

  /** Captured with the three lines in frr.conf; {@code show running-config} moved them under the router id. */
  private static final String FAST = "running-config-fast-convergence.txt";

  /** The router of that capture: only the router id and the host's loopback, which FRR printed with hello 1. */
  private static OspfRouter fastRouter(boolean fast) {
    return OspfRouter.of(Properties.of(Map.of("router-id", "10.0.0.2",
        "interfaces", Map.of("lo1", Map.of("area", "0.0.0.0", "hello", 1L, "passive", true)),
        "networks", Map.of("10.0.0.2/32", "0.0.0.0"),
        "fast-convergence", fast)), "ospf-router ospf on fx2");
  }

  private static String headerOf(String running) {
    return running.substring(BANNER.length(), running.indexOf("!\ninterface"));
  }

  @Test
  void fastConvergence_rendersTheThrottlesWhereFrrPrintsThem() {
    String running = Captured.read(FAST);

    String rendered = FrrConfig.parse(headerOf(running)).withOspf(Optional.of(fastRouter(true)), List.of()).render();

    assertThat(rendered).isEqualTo(running.substring(BANNER.length()));
  }

  @Test
  void fastConvergence_readsBackFromTheRunningConfig_asOwnedLines() {
    FrrConfig config = FrrConfig.parse(Captured.read(FAST));

    assertThat(config.ospf(List.of("lo1")).fastConvergence()).isTrue();
    assertThat(config.ospf(List.of("lo1")).toProperties().asMap()).containsEntry("fast-convergence", true);
    assertThat(FrrConfig.parse(HEADER).ospf(List.of()).toProperties().asMap())
        .as("FRR's defaults print no timers").containsEntry("fast-convergence", false);
  }

  @Test
  void withoutFastConvergence_theThreeLinesAreRemoved_andNothingElse() {
    FrrConfig config = FrrConfig.parse(Captured.read(FAST));

    String after = config.withOspf(Optional.of(fastRouter(false)), List.of()).render();

    assertThat(UnifiedDiff.between(config.render(), after)).filteredOn(l -> l.matches("^[-+].*")).containsExactly(
        "- timers throttle spf 0 50 1000", "- timers throttle lsa all 0", "- timers lsa min-arrival 0");
  }

  @Test
  void aHandSetThrottle_isNotFastConvergence_andTheSpecsChoiceReplacesIt() {
    String running = Captured.read(FAST);
    FrrConfig handTuned = FrrConfig.parse(running.replace(" timers throttle spf 0 50 1000",
        " timers throttle spf 0 100 2000"));

    assertThat(handTuned.ospf(List.of("lo1")).fastConvergence()).isFalse();
    assertThat(handTuned.withOspf(Optional.of(fastRouter(true)), List.of()).render())
        .isEqualTo(running.substring(BANNER.length()));
    assertThat(handTuned.withOspf(Optional.of(fastRouter(false)), List.of()).render()).doesNotContain("timers");
  }

  @Test
  void theThrottles_keepTheirPlace_besideOtherRouterSettings() {
    FrrConfig config = FrrConfig.parse(Captured.read(FAST).replace(" timers throttle spf",
        " log-adjacency-changes\n timers throttle spf"));

    assertThat(config.withOspf(Optional.of(fastRouter(true)), List.of()).render()).contains("""
        router ospf
         ospf router-id 10.0.0.2
         log-adjacency-changes
         timers throttle spf 0 50 1000
         timers throttle lsa all 0
         timers lsa min-arrival 0
         passive-interface default
        """);
  }

  @Test
  void anIndentedLineOutsideASection_isRefused() {
    assertThatThrownBy(() -> FrrConfig.parse(" ip ospf hello-interval 1\n"))
        .hasMessageContaining("outside any section");
  }
}

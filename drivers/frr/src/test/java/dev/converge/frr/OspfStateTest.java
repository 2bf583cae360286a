package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.diff.Differ;
import dev.converge.plan.PlanText;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.resource.Sensitive;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OspfStateTest {

  @Test
  void aConvergedRouter_readsBackAsExactlyTheDesiredProperties() {
    OspfState state = OspfState.parse(Captured.probeOutputOfFx2());

    Properties observed = state.observed(Routers.fx2Router()).orElseThrow().toProperties();

    assertThat(Differ.differingFields(Routers.fx2(), observed)).isEmpty();
    assertThat(observed).isEqualTo(Routers.fx2());
  }

  /** fx2's probe output with the throttles where FRR prints them (see running-config-fast-convergence.txt). */
  private static String probeOutputOfFastFx2() {
    return Captured.probeOutputOfFx2().replace(" ospf router-id 10.0.0.2\n", " ospf router-id 10.0.0.2\n"
        + String.join("\n", FrrConfig.FAST_CONVERGENCE) + "\n");
  }

  @Test
  void aFastRouter_readsBackWithoutDrift_andAFastHostWhereTheSpecNoLongerAsks_isDriftOfThatFieldOnly() {
    Properties fast = Routers.fx2().with("fast-convergence", true);
    OspfState state = OspfState.parse(probeOutputOfFastFx2());

    assertThat(state.observed(OspfRouter.of(fast, "fx2")).orElseThrow().toProperties()).isEqualTo(fast);
    assertThat(Differ.differingFields(Routers.fx2(), state.observed(Routers.fx2Router()).orElseThrow()
        .toProperties())).extracting(f -> f.field()).containsExactly("fast-convergence");
  }

  @Test
  void theMd5Key_isReadAsSensitive_andAWrongOneIsDrift_withoutShowingEitherKey() {
    Properties wanted = Routers.fx2().with("interfaces", Map.of(
        "backbo-fx1", Routers.link("other-key"), "backbo-fx3", Routers.link("secret1"),
        "lo1", Map.of("area", "0.0.0.0", "hello", 1L, "passive", true)));

    Properties observed = OspfState.parse(Captured.probeOutputOfFx2())
        .observed(OspfRouter.of(wanted, "fx2")).orElseThrow().toProperties();

    var changes = Differ.differingFields(wanted, observed);
    assertThat(changes).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("interfaces");
      assertThat(f.isSensitive()).isTrue();
    });
    assertThat(observed.toString()).doesNotContain("secret1").contains(Sensitive.REDACTED);
  }

  @Test
  void thePlanOfATimerChange_showsTheTimers_andRedactsTheKey() {
    Map<String, Object> slower = new java.util.TreeMap<>(Routers.link("secret1"));
    slower.put("hello", 2L);
    Properties wanted = Routers.fx2().with("interfaces", Map.of("backbo-fx1", Routers.link("secret1"),
        "backbo-fx3", slower, "lo1", Map.of("area", "0.0.0.0", "hello", 1L, "passive", true)));
    Observation seen = Observation.present(ResourceId.of("ospf-router", "fx2", "ospf"),
        OspfState.parse(Captured.probeOutputOfFx2()).observed(OspfRouter.of(wanted, "fx2")).orElseThrow()
            .toProperties());

    String plan = PlanText.plain().change(Differ.diff(Resource.present(seen.id(), wanted, Location.unknown()), seen,
        java.util.Set.of()).orElseThrow());

    assertThat(plan).startsWith("~ update ospf-router/fx2:ospf").contains("hello: 1").contains("hello: 2")
        .contains("md5-key: (sensitive)").doesNotContain("secret1");
  }

  @Test
  void aBroadcastInterface_thatFrrDoesNotPrint_isReadFromOspfd_whenTheSpecNamesTheType() {
    String output = Captured.probeOutputOfFx2()
        .replace(" ip ospf network point-to-point\n no ip ospf passive\nexit\n!\ninterface backbo-fx3",
            " no ip ospf passive\nexit\n!\ninterface backbo-fx3")
        .replaceFirst("\"networkType\":\"POINTOPOINT\"", "\"networkType\":\"BROADCAST\"");
    Map<String, Object> broadcast = new java.util.TreeMap<>(Routers.link("secret1"));
    broadcast.put("network-type", "broadcast");
    Properties wanted = Routers.fx2().with("interfaces", Map.of("backbo-fx1", broadcast,
        "backbo-fx3", Routers.link("secret1"), "lo1", Map.of("area", "0.0.0.0", "hello", 1L, "passive", true)));

    Properties observed = OspfState.parse(output).observed(OspfRouter.of(wanted, "fx2")).orElseThrow()
        .toProperties();

    assertThat(Differ.differingFields(wanted, observed)).isEmpty();
  }

  @Test
  void anInterfaceOspfdDoesNotRun_hasNoArea_soTheDriftNamesIt() {
    String output = Captured.probeOutputOfFx2().replace("\"lo1\":{", "\"lo9\":{");

    OspfRouter observed = OspfState.parse(output).observed(Routers.fx2Router()).orElseThrow();

    assertThat(observed.interfaces().get("lo1").area()).isEmpty();
    assertThat(observed.interfaces().get("backbo-fx1").area()).contains("0.0.0.0");
  }

  @Test
  void stoppedOspfd_orNoRouterOspf_isAbsent() {
    assertThat(OspfState.parse(OspfState.STOPPED + "\n").observed(Routers.fx2Router())).isEmpty();
    String withoutRouter = OspfState.RUNNING + "\n" + "frr version 8.4.4\n!\nend\n" + OspfState.INTERFACES
        + "\n% No OSPF instance found\n";
    assertThat(OspfState.parse(withoutRouter).observed(Routers.fx2Router())).isEmpty();
  }

  @Test
  void garbage_isAClearError() {
    assertThatThrownBy(() -> OspfState.parse("vtysh: command not found\n"))
        .hasMessageContaining("unexpected probe output").hasMessageContaining("vtysh: command not found");
  }
}

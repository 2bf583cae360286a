package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.Readiness;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingStateTest {

  private static RoutingState linux(String neighbors, String routes) {
    return RoutingState.parse(Captured.read(neighbors) + RoutingState.ROUTES_MARKER + "\n" + Captured.read(routes),
        FrrPlatform.LINUX);
  }

  @Test
  void readsFrrNeighbours_byRouterIdAndLocalInterface() {
    RoutingState s = linux("neighbor-fx2.json", "ip-route-fx1.json");

    assertThat(s.neighbors()).extracting(RoutingState.Neighbor::routerId, RoutingState.Neighbor::interfaceName,
        RoutingState.Neighbor::state).containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.0.1", "backbo-fx1", "Full/-"),
            org.assertj.core.groups.Tuple.tuple("10.0.0.3", "backbo-fx3", "Full/-"));
  }

  @Test
  void readsKernelRoutes_hostRoutesWithTheirSlash32() {
    RoutingState s = linux("neighbor-fx2.json", "ip-route-fx1.json");

    assertThat(s.kernelRoutes()).containsExactlyInAnyOrder("10.0.0.2/32", "10.0.0.3/32", "172.16.2.0/30",
        "172.16.2.4/30");
  }

  @Test
  void ready_whenEveryNeighbourIsFull_andEveryRouteInstalled() {
    RoutingState s = linux("neighbor-fx2.json", "ip-route-fx1.json");

    // fx2's neighbours with fx1's routes: fx1 lacks no route fx2 expects but its own 10.0.0.1
    assertThat(s.readinessOf(Routers.fx2Router()))
        .isEqualTo(Readiness.waitingFor("route 10.0.0.1/32 in the kernel table"));
  }

  @Test
  void notReady_namesTheNeighbourThatIsNotFull() {
    RoutingState s = linux("neighbor-one-missing-fx2.json", "ip-route-fx1.json");

    Readiness r = s.readinessOf(Routers.fx2Router());

    assertThat(r.ready()).isFalse();
    assertThat(r.waitingFor()).startsWith("neighbour 10.0.0.1 on backbo-fx1 Full (not seen)");
  }

  @Test
  void afterAKeyChange_aFullNeighbourCountsOnlyOnceAHelloWasAcceptedSince() {
    // fx2's dead timers: fx1's hello was accepted 438 ms ago (2562 ms left of 3 s), fx3's 963 ms ago
    RoutingState s = linux("neighbor-fx2.json", "ip-route-fx1.json");
    OspfRouter fx2 = Routers.fx2Router();
    OspfRouter router = new OspfRouter(fx2.routerId(), fx2.interfaces(), fx2.networks(), fx2.fastConvergence(),
        fx2.neighbors(), java.util.List.of("10.0.0.3/32"),
        java.util.List.of());
    Set<String> rekeyed = Set.of("backbo-fx1", "backbo-fx3");

    Readiness justChanged = s.readinessOf(router, rekeyed, 200);
    assertThat(justChanged.waitingFor())
        .contains("neighbour 10.0.0.1 on backbo-fx1 Full (no hello accepted since its interface changed)")
        .contains("neighbour 10.0.0.3 on backbo-fx3 Full (no hello accepted since its interface changed)");
    assertThat(s.readinessOf(router, rekeyed, 600).waitingFor())
        .doesNotContain("backbo-fx1").contains("neighbour 10.0.0.3 on backbo-fx3");
    assertThat(s.readinessOf(router, rekeyed, 1000).ready()).isTrue();
    assertThat(s.readinessOf(router, Set.of(), 0).ready()).as("no interface changed").isTrue();
  }

  @Test
  void twoWayBetweenDrOthers_countsAsAdjacent_butInitDoesNot() {
    assertThat(new RoutingState.Neighbor("10.0.0.9", "eth0", "2-Way/DROther", "DROther").adjacent()).isTrue();
    assertThat(new RoutingState.Neighbor("10.0.0.9", "eth0", "2-Way/DROther", "DR").adjacent()).isFalse();
    assertThat(new RoutingState.Neighbor("10.0.0.9", "eth0", "Init/-", "DROther").adjacent()).isFalse();
  }

  @Test
  void noOspfInstance_meansNoNeighbours() {
    assertThat(RoutingState.neighbors("% No OSPF instance found\n")).isEmpty();
    assertThat(linux("neighbor-none-fx1.json", "ip-route-fx1.json").neighbors()).isEmpty();
  }

  @Test
  void freeBsdRoutes_comeFromNetstatLibxo_withBareHostsAsSlash32() {
    RoutingState s = RoutingState.parse(Captured.read("neighbor-fx2.json") + RoutingState.ROUTES_MARKER + "\n"
        + Captured.read("netstat-rn4-freebsd.json"), FrrPlatform.FREEBSD);

    assertThat(s.kernelRoutes()).containsExactlyInAnyOrder("0.0.0.0/0", "10.0.0.1/32", "10.0.0.2/32",
        "172.16.2.0/30");
  }
}

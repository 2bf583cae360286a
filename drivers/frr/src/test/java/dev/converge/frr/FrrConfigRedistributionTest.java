package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.plan.UnifiedDiff;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The lines that make ospfd advertise a jail's /32 (FRR 8.4 never advertises an unnumbered veth's peer by a network
 * statement): {@code redistribute connected route-map converge-redistribute}, the prefix-list and the route-map,
 * against {@code show running-config} captured from the lab's r2 after the driver applied them.
 */
class FrrConfigRedistributionTest {

  private static final String BANNER = "Building configuration...\n\nCurrent configuration:\n!\n";
  /** r2 redistributing one jail's /32. */
  private static final String ONE = "running-config-redistribute-r2.txt";
  /** r2 redistributing two /32s, beside prefix-lists, route-maps and a redistribute line the user made by hand. */
  private static final String WITH_OWN = "running-config-redistribute-own-lists-r2.txt";
  private static final String JAIL = "10.0.1.5/32";

  private static String body(String capture) {
    return Captured.read(capture).substring(BANNER.length());
  }

  private static String headerOf(String capture) {
    String body = body(capture);
    return body.substring(0, body.indexOf("!\ninterface"));
  }

  @Test
  void rendersExactlyWhatFrrPrints_routerLineAfterTheThrottles_prefixListAndRouteMapAfterTheRouter() {
    String rendered = FrrConfig.parse(headerOf(ONE))
        .withOspf(Optional.of(Routers.redistributingR2(List.of(JAIL))), List.of()).render();

    assertThat(rendered).isEqualTo(body(ONE));
  }

  @Test
  void readsTheRedistributedPrefixes_inPrefixListOrder() {
    assertThat(FrrConfig.parse(Captured.read(ONE)).ospf(List.of()).redistribute()).containsExactly(JAIL);
    assertThat(FrrConfig.parse(Captured.read(WITH_OWN)).ospf(List.of()).redistribute())
        .containsExactly(JAIL, "10.0.1.6/32");
  }

  @Test
  void aConfigWithoutThem_reportsAnEmptyList_soThatEveryRouterCompares() {
    OspfRouter seen = FrrConfig.parse(Captured.read("running-config-fx2.txt")).ospf(List.of());

    assertThat(seen.redistribute()).isEmpty();
    assertThat(seen.toProperties().asMap()).containsEntry("redistribute", List.of());
  }

  @Test
  void theUsersOwnListsMapsAndRedistributeLines_areKeptInPlace_andNotReported() {
    String running = Captured.read(WITH_OWN);
    FrrConfig config = FrrConfig.parse(running);

    String rendered = config.withOspf(Optional.of(Routers.redistributingR2(List.of(JAIL, "10.0.1.6/32"))),
        List.of()).render();

    assertThat(rendered).isEqualTo(body(WITH_OWN));
    assertThat(config.ospf(List.of()).toProperties().toString()).doesNotContain("mine").doesNotContain("static");
  }

  @Test
  void anEmptiedList_removesExactlyConvergesLines() {
    FrrConfig config = FrrConfig.parse(Captured.read(WITH_OWN));

    String after = config.withOspf(Optional.of(Routers.redistributingR2(List.of())), List.of()).render();

    assertThat(UnifiedDiff.between(config.render(), after)).filteredOn(l -> l.matches("^[-+][^!].*"))
        .containsExactly("- redistribute connected route-map converge-redistribute",
            "-ip prefix-list converge-redistribute seq 5 permit 10.0.1.5/32",
            "-ip prefix-list converge-redistribute seq 10 permit 10.0.1.6/32",
            "-route-map converge-redistribute permit 10", "- match ip address prefix-list converge-redistribute",
            "-exit");
    assertThat(after).contains(" redistribute static route-map zz-mine\n", "ip prefix-list zz-mine seq 5",
        "ip prefix-list aa-mine seq 5", "route-map zz-mine permit 10\n match ip address prefix-list zz-mine\nexit",
        "route-map aa-mine deny 10\nexit");
    assertThat(FrrConfig.parse(after).ospf(List.of()).redistribute()).isEmpty();
  }

  @Test
  void deletingTheRouter_removesThemToo() {
    String after = FrrConfig.parse(Captured.read(ONE)).withOspf(Optional.empty(), List.of("backbo-r1", "lo1"))
        .render();

    assertThat(after).doesNotContain("converge-redistribute").doesNotContain("router ospf");
  }

  @Test
  void aGrownList_renumbersTheEntries_fiveApart_inTheListsOrder() {
    String after = FrrConfig.parse(Captured.read(ONE))
        .withOspf(Optional.of(Routers.redistributingR2(List.of("10.0.1.9/32", JAIL))), List.of()).render();

    assertThat(after).contains("""
        !
        ip prefix-list converge-redistribute seq 5 permit 10.0.1.5/32
        ip prefix-list converge-redistribute seq 10 permit 10.0.1.9/32
        !
        route-map converge-redistribute permit 10
        """);
    assertThat(FrrConfig.parse(after).ospf(List.of()).redistribute()).containsExactly(JAIL, "10.0.1.9/32");
  }

  @Test
  void aHalfMadeSetup_readsAsNothingRedistributed_andIsCompletedByTheNextApply() {
    String running = Captured.read(ONE);
    FrrConfig withoutRouteMap = FrrConfig.parse(running.replace(
        "route-map converge-redistribute permit 10\n match ip address prefix-list converge-redistribute\nexit\n", ""));
    FrrConfig withoutRouterLine = FrrConfig.parse(running.replace(
        " redistribute connected route-map converge-redistribute\n", ""));

    assertThat(withoutRouteMap.ospf(List.of()).redistribute()).isEmpty();
    assertThat(withoutRouterLine.ospf(List.of()).redistribute()).isEmpty();
    OspfRouter r2 = Routers.redistributingR2(List.of(JAIL));
    assertThat(withoutRouteMap.withOspf(Optional.of(r2), List.of()).render()).isEqualTo(body(ONE));
    assertThat(withoutRouterLine.withOspf(Optional.of(r2), List.of()).render()).isEqualTo(body(ONE));
  }
}

package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.diff.Differ;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Readiness;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two routers r1 - r2 on real FRR 8.4; on r2 a jail's link as the Linux jail driver makes it: a veth {@code vj-web}
 * into a network namespace, {@code 10.0.0.2/32 peer 10.0.1.5/32} on the host's side. ospfd sees that interface as
 * unnumbered and never advertises the peer by a network statement: only redistribution gets 10.0.1.5/32 to r1. A
 * second connected prefix on r2 outside every network statement proves the route-map lets through nothing else.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedistributionLabTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedistributionLabTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JAIL = "10.0.1.5";
  private static final List<String> JAIL_ROUTE = List.of(JAIL + "/32");
  private static final String UNADVERTISED = "198.51.100.0/24";
  private static final Duration CONVERGED_WITHIN = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static TestLab lab;
  private static final OspfRouterDriver driver = new OspfRouterDriver();

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    lab = TestLab.up(dir, """
        site: redistlab
        hosts:
          r1: { address: 192.0.2.21, loopback: 10.0.0.1/32 }
          r2: { address: 192.0.2.22, loopback: 10.0.0.2/32 }
        networks:
          backbone: { kind: links, cidr: 172.16.3.0/24, links: [[r1, r2]] }
        """);
    host("r1", "ip", "addr", "add", "172.16.3.1/30", "dev", "backbo-r2");
    host("r2", "ip", "addr", "add", "172.16.3.2/30", "dev", "backbo-r1");
    for (int i = 1; i <= 2; i++) {
      String h = "r" + i;
      // this kernel has no dummy driver: a bridge without ports stands in for the loopback lo1
      host(h, "ip", "link", "add", "lo1", "type", "bridge");
      host(h, "ip", "link", "set", "lo1", "up");
      host(h, "ip", "addr", "add", "10.0.0." + i + "/32", "dev", "lo1");
      host(h, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
    host("r2", "ip", "addr", "add", "198.51.100.1/24", "dev", "lo1");
    // the jail's link, as drivers/jails makes it: the namespace lives in r2's private /run/netns
    host("r2", "ip", "netns", "add", "jail-web");
    host("r2", "ip", "link", "add", "vj-web", "type", "veth", "peer", "name", "eth0", "netns", "jail-web");
    host("r2", "ip", "addr", "add", "10.0.0.2/32", "peer", JAIL + "/32", "dev", "vj-web");
    host("r2", "ip", "link", "set", "vj-web", "up");
    host("r2", "ip", "-n", "jail-web", "addr", "add", JAIL + "/32", "peer", "10.0.0.2/32", "dev", "eth0");
    host("r2", "ip", "-n", "jail-web", "link", "set", "eth0", "up");
    host("r2", "ip", "-n", "jail-web", "link", "set", "lo", "up");
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  /** r1, expecting r2's loopback and {@code jailRoutes} in its kernel table; redistributing nothing. */
  private static Resource r1(List<String> jailRoutes) {
    List<String> routes = new ArrayList<>(List.of("10.0.0.2/32"));
    routes.addAll(jailRoutes);
    return router(1, routes, List.of());
  }

  /** r2, redistributing {@code prefixes}. */
  private static Resource r2(List<String> prefixes) {
    return router(2, List.of("10.0.0.1/32"), prefixes);
  }

  private static Resource router(int n, List<String> routes, List<String> redistribute) {
    Map<String, Object> link = Map.of("area", "0.0.0.0", "network-type", "point-to-point", "hello", 1L, "dead", 3L,
        "passive", false);
    Map<String, Object> loopback = Map.of("area", "0.0.0.0", "passive", true);
    int other = 3 - n;
    return Resource.present(ResourceId.of("ospf-router", "r" + n, "ospf"), Properties.of(Map.of(
        "router-id", "10.0.0." + n,
        "interfaces", Map.of("lo1", loopback, "backbo-r" + other, link),
        "networks", Map.of("10.0.0." + n + "/32", "0.0.0.0", "172.16.3.0/30", "0.0.0.0"),
        "neighbors", Map.of("backbo-r" + other, "10.0.0." + other),
        "routes", routes,
        "fast-convergence", true,
        "redistribute", redistribute)), Location.unknown());
  }

  @Test
  @Order(1)
  void aJailsPeerAddress_reachesTheOtherRouter_onlyThroughRedistribution() throws Exception {
    driver.apply(lab.target("r1"), changeFor(r1(List.of())).orElseThrow());
    driver.apply(lab.target("r2"), changeFor(r2(List.of())).orElseThrow());
    awaitReady(r1(List.of()), r2(List.of()));
    assertThat(kernelRoutes("r1")).as("without redistribution").contains("10.0.0.2").doesNotContain(JAIL);

    Resource r2 = r2(JAIL_ROUTE);
    Change change = changeFor(r2).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("redistribute");
    long start = System.nanoTime();
    driver.apply(lab.target("r2"), change);

    await().atMost(CONVERGED_WITHIN).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(kernelRoutes("r1")).contains(JAIL));
    LOG.info("{}/32 in r1's kernel {} ms after the apply on r2", JAIL, (System.nanoTime() - start) / 1_000_000);
    awaitReady(r1(JAIL_ROUTE), r2);
    assertThat(host("r1", "ip", "-j", "route", "get", JAIL)).as("via r2").contains("\"gateway\":\"172.16.3.2\"");
    assertThat(kernelRoutes("r1")).as("the route-map lets nothing else out").doesNotContain(UNADVERTISED);
    assertThat(changeFor(r2)).as("r2 probed again").isEmpty();
    assertThat(changeFor(r1(JAIL_ROUTE))).as("r1 probed again").isEmpty();
  }

  @Test
  @Order(2)
  void whatFrrPrints_parsesAndRendersBackUnchanged() throws Exception {
    String running = host("r2", "vtysh", "-c", "show running-config");
    LOG.info("r2's running config:\n{}", running);
    FrrConfig config = FrrConfig.parse(running);

    assertThat(config.ospf(List.of()).redistribute()).containsExactly(JAIL + "/32");
    OspfRouter desired = OspfRouter.of(r2(JAIL_ROUTE).properties(), "r2");
    String body = running.substring(running.indexOf("frr version"));
    assertThat(config.withOspf(Optional.of(desired), List.of()).render()).isEqualTo(body + "\n");
    assertThat(host("r2", "cat", "/etc/frr/frr.conf")).as("persisted")
        .contains("ip prefix-list converge-redistribute seq 5 permit " + JAIL + "/32");
  }

  @Test
  @Order(3)
  void theUsersOwnPrefixListsRouteMapsAndRedistributeLines_stay_andTwoPrefixesGetTwoEntries() throws Exception {
    host("r2", "vtysh", "-c", "conf t", "-c", "ip prefix-list zz-mine seq 5 permit 192.0.2.0/24",
        "-c", "ip prefix-list aa-mine seq 5 permit 192.0.2.128/25", "-c", "route-map zz-mine permit 10",
        "-c", "match ip address prefix-list zz-mine", "-c", "exit", "-c", "route-map aa-mine deny 10",
        "-c", "exit", "-c", "router ospf", "-c", "redistribute static route-map zz-mine");
    List<String> two = List.of(JAIL + "/32", "10.0.1.6/32");
    Resource r2 = r2(two);
    driver.apply(lab.target("r2"), changeFor(r2).orElseThrow());

    String running = host("r2", "vtysh", "-c", "show running-config");
    LOG.info("r2's running config with the user's own lines:\n{}", running);
    assertThat(running).contains("ip prefix-list converge-redistribute seq 5 permit 10.0.1.5/32\n"
        + "ip prefix-list converge-redistribute seq 10 permit 10.0.1.6/32\n")
        .contains("ip prefix-list zz-mine seq 5 permit 192.0.2.0/24", "ip prefix-list aa-mine seq 5",
            "route-map zz-mine permit 10\n match ip address prefix-list zz-mine\nexit", "route-map aa-mine deny 10",
            " redistribute static route-map zz-mine", " redistribute connected route-map converge-redistribute");
    assertThat(changeFor(r2)).isEmpty();
    String body = running.substring(running.indexOf("frr version"));
    assertThat(FrrConfig.parse(running).withOspf(Optional.of(OspfRouter.of(r2.properties(), "r2")), List.of())
        .render()).isEqualTo(body + "\n");
  }

  @Test
  @Order(4)
  void anEmptiedList_removesTheLinesAndTheRoute_andKeepsTheUsersOwn() throws Exception {
    Resource r2 = r2(List.of());
    driver.apply(lab.target("r2"), changeFor(r2).orElseThrow());

    await().atMost(CONVERGED_WITHIN).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(kernelRoutes("r1")).doesNotContain(JAIL));
    assertThat(host("r2", "vtysh", "-c", "show running-config")).doesNotContain("converge-redistribute")
        .doesNotContain("redistribute connected").contains(" redistribute static route-map zz-mine")
        .contains("ip prefix-list zz-mine seq 5").contains("route-map zz-mine permit 10")
        .contains("route-map aa-mine deny 10");
    assertThat(changeFor(r2)).isEmpty();
    awaitReady(r1(List.of()), r2);
  }

  private static void awaitReady(Resource... routers) {
    await().atMost(CONVERGED_WITHIN).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      for (Resource r : routers) {
        assertThat(driver.readiness(lab.target(r.target()), r)).as("%s", r.target()).isEqualTo(Readiness.READY);
      }
    });
  }

  private static Optional<Change> changeFor(Resource r) throws Exception {
    Observation seen = driver.probe(lab.target(r.target()), List.of(r)).get(0);
    return Differ.diff(r, seen, driver.immutableFields());
  }

  private static List<String> kernelRoutes(String h) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(host(h, "ip", "-j", "-4", "route")).forEach(r -> out.add(r.path("dst").asText()));
    return out;
  }

  private static String host(String h, String... argv) {
    ExecResult r = lab.lab().run(h, Command.of(argv));
    assertThat(r.exitCode()).as("%s on %s: %s", String.join(" ", argv), h, r.err()).isZero();
    return r.out().strip();
  }
}

package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.CountingTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
 * Three routers in a lab chain r1 - r2 - r3 ({@code kind: links}: the lab makes the veths {@code backbo-rN}), real
 * FRR 8.4 started by the driver, reached over SSH as the engine reaches them. The interface driver is another
 * module's: the setup puts the /30s and the lo1 /32s (router ids) on the interfaces itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OspfLabTest {

  private static final Logger LOG = LoggerFactory.getLogger(OspfLabTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "lab-md5-key";
  private static final Duration CONVERGED_WITHIN = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static TestLab lab;
  private static final OspfRouterDriver driver = new OspfRouterDriver();

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    lab = TestLab.up(dir, """
        site: ospflab
        hosts:
          r1: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
          r2: { address: 192.0.2.2, loopback: 10.0.0.2/32 }
          r3: { address: 192.0.2.3, loopback: 10.0.0.3/32 }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[r1, r2], [r2, r3]] }
        """);
    address("r1", "backbo-r2", "172.16.2.1/30");
    address("r2", "backbo-r1", "172.16.2.2/30");
    address("r2", "backbo-r3", "172.16.2.5/30");
    address("r3", "backbo-r2", "172.16.2.6/30");
    for (int i = 1; i <= 3; i++) {
      String h = "r" + i;
      // this kernel has no dummy driver: a bridge without ports stands in for the loopback lo1
      host(h, "ip", "link", "add", "lo1", "type", "bridge");
      host(h, "ip", "link", "set", "lo1", "up");
      host(h, "ip", "addr", "add", "10.0.0." + i + "/32", "dev", "lo1");
      host(h, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ the routers

  private static Map<String, Object> link(long hello, long dead, String key) {
    return Map.of("area", "0.0.0.0", "network-type", "point-to-point", "hello", hello, "dead", dead,
        "md5-key", new Sensitive(key), "passive", false);
  }

  private static Map<String, Object> loopback() {
    return Map.of("area", "0.0.0.0", "hello", 1L, "dead", 3L, "md5-key", new Sensitive(KEY), "passive", true);
  }

  /**
   * The contract's resource for router {@code n}, with fast convergence as the lab's spec chooses it; {@code r2r3}
   * holds the hello/dead/key of the r2 - r3 link.
   */
  private static Resource router(int n, long[] r2r3, String r3Key) {
    return router(n, r2r3, r3Key, true);
  }

  private static Resource router(int n, long[] r2r3, String r3Key, boolean fastConvergence) {
    Map<String, Object> fast = link(1, 3, KEY);
    Map<String, Object> r23 = link(r2r3[0], r2r3[1], n == 3 ? r3Key : KEY);
    Map<String, Object> interfaces = new TreeMap<>();
    Map<String, Object> networks = new TreeMap<>();
    Map<String, Object> neighbors = new TreeMap<>();
    interfaces.put("lo1", loopback());
    networks.put("10.0.0." + n + "/32", "0.0.0.0");
    switch (n) {
      case 1 -> {
        interfaces.put("backbo-r2", fast);
        networks.put("172.16.2.0/30", "0.0.0.0");
        neighbors.put("backbo-r2", "10.0.0.2");
      }
      case 2 -> {
        interfaces.put("backbo-r1", fast);
        interfaces.put("backbo-r3", r23);
        networks.put("172.16.2.0/30", "0.0.0.0");
        networks.put("172.16.2.4/30", "0.0.0.0");
        neighbors.put("backbo-r1", "10.0.0.1");
        neighbors.put("backbo-r3", "10.0.0.3");
      }
      default -> {
        interfaces.put("backbo-r2", r23);
        networks.put("172.16.2.4/30", "0.0.0.0");
        neighbors.put("backbo-r2", "10.0.0.2");
      }
    }
    List<String> routes = new ArrayList<>();
    for (int other = 1; other <= 3; other++) {
      if (other != n) {
        routes.add("10.0.0." + other + "/32");
      }
    }
    return Resource.present(ResourceId.of("ospf-router", "r" + n, "ospf"), Properties.of(Map.of(
        "router-id", "10.0.0." + n, "interfaces", interfaces, "networks", networks, "neighbors", neighbors,
        "routes", routes, "fast-convergence", fastConvergence)), Location.unknown());
  }

  private static Resource router(int n) {
    return router(n, new long[] {1, 3}, KEY);
  }

  // ------------------------------------------------------------------------------------------------ tests

  @Test
  @Order(1)
  void threeHostsWithoutFrr_convergeToEveryRouteEverywhere_andAReprobeShowsNoDrift() throws Exception {
    for (int n = 1; n <= 3; n++) {
      assertThat(host("r" + n, "sh", "-c", "test -e /run/frr/ospfd.pid && echo yes || echo no")).isEqualTo("no");
      assertThat(changeFor(router(n)).orElseThrow().type().verb()).isEqualTo("create");
    }

    long start = System.nanoTime();
    for (int n = 1; n <= 3; n++) {
      Resource r = router(n);
      driver.apply(lab.target(r.target()), changeFor(r).orElseThrow());
    }
    long applied = System.nanoTime();
    awaitReady(router(1), router(2), router(3));
    long ready = System.nanoTime();
    LOG.info("3 routers: applied in {} ms, routes converged {} ms after the first apply",
        (applied - start) / 1_000_000, (ready - start) / 1_000_000);

    for (int n = 1; n <= 3; n++) {
      String h = "r" + n;
      List<String> others = new ArrayList<>(List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
      others.remove("10.0.0." + n);
      assertThat(kernelRoutes(h)).as("kernel routes of %s", h).containsAll(others)
          .contains("172.16.2.0/30", "172.16.2.4/30");
      assertThat(host(h, "ip", "-j", "route", "get", "10.0.0." + (n % 3 + 1))).as("%s routes via OSPF", h)
          .contains("\"gateway\":\"172.16.2.");
      assertThat(changeFor(router(n))).as("%s probed again", h).isEmpty();
      assertThat(host(h, "stat", "-c", "%a %U:%G", "/etc/frr/frr.conf")).isEqualTo("640 frr:frr");
      assertThat(host(h, "grep", "-c", "^ospfd=yes", "/etc/frr/daemons")).isEqualTo("1");
    }
  }

  @Test
  @Order(2)
  void aSecondProbe_isOneRoundTripPerHost_andFindsNothingToDo() throws Exception {
    for (int n = 1; n <= 3; n++) {
      CountingTransport t = lab.transport("r" + n);
      t.reset();
      List<Observation> seen = driver.probe(lab.target("r" + n), List.of(router(n)));
      assertThat(t.roundTrips()).isEqualTo(1);
      assertThat(Differ.diff(router(n), seen.get(0), driver.immutableFields())).isEmpty();
    }
  }

  @Test
  @Order(3)
  void fastConvergenceOff_removesOnlyTheThrottles_withoutRestartingOspfd_andOnAgainRestoresThem() throws Exception {
    String ospfdPid = host("r1", "cat", "/run/frr/ospfd.pid");
    Resource slow = router(1, new long[] {1, 3}, KEY, false);

    Change off = changeFor(slow).orElseThrow();
    assertThat(off.fields()).extracting(f -> f.field()).containsExactly("fast-convergence");
    driver.apply(lab.target("r1"), off);

    assertThat(host("r1", "vtysh", "-c", "show running-config")).doesNotContain("timers")
        .contains(" ospf router-id 10.0.0.1");
    assertThat(changeFor(slow)).isEmpty();
    driver.apply(lab.target("r1"), changeFor(router(1)).orElseThrow());
    assertThat(host("r1", "vtysh", "-c", "show running-config")).contains(String.join("\n",
        FrrConfig.FAST_CONVERGENCE));
    assertThat(changeFor(router(1))).isEmpty();
    assertThat(host("r1", "cat", "/run/frr/ospfd.pid")).as("ospfd PID").isEqualTo(ospfdPid);
    awaitReady(router(1), router(2), router(3));
  }

  @Test
  @Order(4)
  void aChangedTimer_isAppliedWithoutRestartingOspfd_orDroppingTheOtherAdjacency() throws Exception {
    host("r2", "vtysh", "-c", "conf t", "-c", "ip route 192.0.2.128/25 blackhole", "-c", "interface backbo-r1",
        "-c", "description to r1, by hand");
    String ospfdPid = host("r2", "cat", "/run/frr/ospfd.pid");
    long r1UptimeBefore = uptimeMs("r1", "10.0.0.2");
    long before = System.nanoTime();

    long[] slower = {2, 8};
    Change r2Change = changeFor(router(2, slower, KEY)).orElseThrow();
    assertThat(r2Change.fields()).extracting(f -> f.field()).containsExactly("interfaces");
    driver.apply(lab.target("r2"), r2Change);
    driver.apply(lab.target("r3"), changeFor(router(3, slower, KEY)).orElseThrow());
    awaitReady(router(1), router(2, slower, KEY), router(3, slower, KEY));

    assertThat(host("r2", "cat", "/run/frr/ospfd.pid")).as("ospfd PID").isEqualTo(ospfdPid);
    assertThat(uptimeMs("r1", "10.0.0.2")).as("r1 - r2 adjacency uptime, kept")
        .isGreaterThanOrEqualTo(r1UptimeBefore + (System.nanoTime() - before) / 1_000_000 - 1_000);
    assertThat(neighborJson("r2").path("neighbors").path("10.0.0.3").get(0).path("deadTimeMsecs").asLong())
        .as("r2 - r3 now runs dead 8 s").isGreaterThan(3_000);
    String running = host("r2", "vtysh", "-c", "show running-config");
    assertThat(running).as("hand-made lines are left alone").contains("ip route 192.0.2.128/25 blackhole")
        .contains(" description to r1, by hand");
    assertThat(driver.probe(lab.target("r2"), List.of(router(2, slower, KEY))).get(0).actual().orElseThrow()
        .toString()).doesNotContain("blackhole").doesNotContain("description").doesNotContain(KEY);
    assertThat(changeFor(router(2, slower, KEY))).isEmpty();
    assertThat(host("r2", "cat", "/etc/frr/frr.conf")).as("persisted").contains(" ip ospf hello-interval 2")
        .contains("ip route 192.0.2.128/25 blackhole");
  }

  @Test
  @Order(5)
  void aWrongMd5KeyOnOneHost_leavesItsNeighboursNotFull_andReadinessNamesThem() throws Exception {
    long[] slower = {2, 8};
    Resource r3 = router(3, slower, "wrong-key");
    driver.apply(lab.target("r3"), changeFor(r3).orElseThrow());

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      Readiness r = driver.readiness(lab.target("r3"), r3);
      assertThat(r.ready()).isFalse();
      assertThat(r.waitingFor()).contains("neighbour 10.0.0.2 on backbo-r2 Full");
    });
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(driver.readiness(lab.target("r2"), router(2, slower, KEY)).waitingFor())
            .contains("neighbour 10.0.0.3 on backbo-r3 Full").doesNotContain("10.0.0.1 on"));
    assertThat(changeFor(r3)).as("the config is what the spec says; only the protocol disagrees").isEmpty();
  }

  @Test
  @Order(6)
  void delete_removesConvergesOspf_andKeepsTheRest() throws Exception {
    Resource gone = Resource.absent(ResourceId.of("ospf-router", "r2", "ospf"), Location.unknown());
    Observation seen = driver.probe(lab.target("r2"), List.of(router(2, new long[] {2, 8}, KEY))).get(0);

    driver.apply(lab.target("r2"), new Change(dev.converge.resource.ChangeType.DELETE, gone, seen, List.of(),
        Optional.empty(), Optional.empty()));

    String running = host("r2", "vtysh", "-c", "show running-config");
    assertThat(running).doesNotContain("router ospf").doesNotContain("ip ospf")
        .contains("ip route 192.0.2.128/25 blackhole").contains(" description to r1, by hand");
    assertThat(driver.probe(lab.target("r2"), List.of(gone)).get(0).isPresent()).isFalse();
  }

  // ------------------------------------------------------------------------------------------------ helpers

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

  private static JsonNode neighborJson(String h) throws Exception {
    return JSON.readTree(host(h, "vtysh", "-c", "show ip ospf neighbor json"));
  }

  private static long uptimeMs(String h, String neighbor) throws Exception {
    return neighborJson(h).path("neighbors").path(neighbor).get(0).path("upTimeInMsec").asLong();
  }

  private static void address(String h, String ifname, String cidr) {
    host(h, "ip", "addr", "add", cidr, "dev", ifname);
  }

  private static String host(String h, String... argv) {
    ExecResult r = lab.lab().run(h, Command.of(argv));
    assertThat(r.exitCode()).as("%s on %s: %s", String.join(" ", argv), h, r.err()).isZero();
    return r.out().strip();
  }
}

package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 001 done declaratively, in the lab with real FRR: five hosts in two sites, a partial mesh of links (server1
 * sees only server2 and server3), a /32 on lo2 on every host, MD5 authentication. Converge returns only once routing
 * has converged, so every check right after it runs without waiting.
 */
class OspfIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> HOSTS = List.of("server1", "server2", "server3", "server4", "server5");

  private static final String ALL_LINKS = "[[server1, server2], [server1, server3], [server2, server3], [server3, server4],"
      + " [server2, server5],\n            [server4, server5]]";

  private Path dir;
  private Path spec;

  @BeforeEach
  void writeSpec() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/ospf-it-" + UUID.randomUUID().toString().substring(0, 8)));
    spec = dir.resolve("site.yaml");
    Files.writeString(dir.resolve("ospf.key"), "s3cret-md5\n");
    Files.setPosixFilePermissions(dir.resolve("ospf.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    writeSpec("server5");
  }

  private void writeSpec(String holderOfDotFive) throws Exception {
    writeSpec(holderOfDotFive, ALL_LINKS);
  }

  private void writeSpec(String holderOfDotFive, String links) throws Exception {
    Files.writeString(spec, """
        site: ospfit
        secrets:
          ospf-key: { file: ospf.key }
        hosts:
          server1: { address: 198.51.100.11, loopback: 10.0.0.1/32 }
          server2: { address: 198.51.100.12, loopback: 10.0.0.2/32 }
          server3: { address: 198.51.100.13, loopback: 10.0.0.3/32 }
          server4: { address: 203.0.113.14, loopback: 10.0.0.4/32 }
          server5: { address: 203.0.113.15, loopback: 10.0.0.5/32 }
        networks:
          backbone:
            kind: links
            cidr: 172.16.2.0/24
            links: %s
          jails:
            kind: loopback
            interface: lo2
            cidr: 172.16.3.0/24
            addresses:
              server1: [172.16.3.1]
              server2: [172.16.3.2]
              server3: [172.16.3.3]
              %s
        ospf:
          areas:
            0.0.0.0:
              authentication: { md5: ospf-key }
              networks: [backbone, jails]
              hosts: all
              hello: 1
              dead: 3
              fast-convergence: true
        """.formatted(links, holderOfDotFive.equals("server4") ? "server4: [172.16.3.4, 172.16.3.5]"
            : "server4: [172.16.3.4]\n      server5: [172.16.3.5]"));
  }

  @AfterEach
  void down() throws Exception {
    Cli.run("lab", "down", spec.toString());
    LabFixture.command("rm", "-rf", dir.toString());
  }

  @Test
  void theSeedTopologyRoutesEveryAddressEverywhereAndFollowsAMovedAddress() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    long start = System.nanoTime();
    Cli.Run converge = Cli.run("--lab", spec.toString());
    System.out.printf("5 hosts: converge --lab to routing converged: %.1f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(converge.exit()).as(converge.toString()).isZero();
    assertEveryHostRoutesEverywhere();
    assertThat(routes("server1")).as("server1 is linked to server2 and server3 only, yet reaches server5")
        .containsKey("10.0.0.5/32");

    start = System.nanoTime();
    Cli.Run again = Cli.run("--lab", spec.toString());
    System.out.printf("5 hosts: no-op converge: %.1f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("the second converge does nothing").isEmpty();

    Map<String, Long> uptimeBefore = neighbourUptimes("server1");
    writeSpec("server4");
    Cli.Run move = Cli.run("--lab", spec.toString());
    assertThat(move.exit()).as(move.toString()).isZero();
    assertEveryHostRoutesEverywhere();
    assertThat(addressesOn("server4", "lo2")).contains("172.16.3.5");
    assertThat(addressesOf("server5")).as("server5 holds no address on lo2 any more: converge removed lo2")
        .doesNotContain("172.16.3.5/32");
    assertThat(routes("server5").get("172.16.3.5/32"))
        .as("converge returned only once server5, which gave .5 up, routes it to server4 over their link")
        .isEqualTo("backbo-server4");
    assertThat(protocolOfRoute("server5", "172.16.3.5/32")).isEqualTo("ospf");
    Map<String, Long> uptimeAfter = neighbourUptimes("server1");
    assertThat(uptimeAfter.keySet()).isEqualTo(uptimeBefore.keySet());
    uptimeAfter.forEach((neighbour, uptime) -> assertThat(uptime)
        .as("server1's adjacency with %s did not flap", neighbour).isGreaterThan(uptimeBefore.get(neighbour)));
  }

  @Test
  void aLinkTakenDownByHandIsRoutedAroundThenRestored() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    assertThat(Cli.run("--lab", spec.toString()).exit()).isZero();
    String link = "backbo-server3";
    assertThat(exec("server1", "ip", "link", "set", link, "down").exit()).isZero();

    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(routes("server1").get("10.0.0.3/32")).as("server1 reaches server3 around the dead link")
            .isNotNull().doesNotContain(link));
    Cli.Run plan = Cli.run("plan", "--lab", spec.toString());
    assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.out()).contains("interface/server1:" + link);

    assertThat(Cli.run("--lab", spec.toString()).exit()).isZero();
    // converge returns once the adjacency is Full again; SPF then prefers the direct link after its hold time
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(routes("server1").get("10.0.0.3/32")).as("the direct link is back in use").contains(link));
  }

  @Test
  void aKeyRolledOutToOneHostOnlyLeavesItsNeighboursNotFull_namingThem_thenTheRightKeyRestoresRouting()
      throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    assertThat(Cli.run("--lab", spec.toString()).exit()).isZero();

    Cli.Run typo = Cli.run("--lab", "--limit", "server33", spec.toString());
    assertThat(typo.exit()).as(typo.toString()).isEqualTo(65);
    assertThat(typo.err()).contains("no host `server33`", "did you mean `server3`?", "nothing was done");

    Files.writeString(dir.resolve("ospf.key"), "n3w-md5-key\n");
    Cli.Run plan = Cli.run("plan", "--lab", "--limit", "server3", spec.toString());
    assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.out()).as("only server3 is planned; its new key shows as a change of a secret")
        .contains("~ update ospf-router/server3:ospf", "md5-key: (sensitive)")
        .doesNotContain("server1:ospf").doesNotContain("n3w-md5-key").doesNotContain("s3cret-md5");

    long start = System.nanoTime();
    Cli.Run rolled = Cli.run("--lab", "--limit", "server3", spec.toString());
    System.out.printf("wrong key on server3: converge --limit server3 failed after %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertThat(rolled.exit()).as(rolled.toString()).isEqualTo(1);
    String report = rolled.out() + rolled.err();
    assertThat(report).as("server3's neighbours, by router id and by the link named after the peer host")
        .contains("ospf-router/server3:ospf", "neighbour 10.0.0.1 on backbo-server1 Full",
            "neighbour 10.0.0.2 on backbo-server2 Full", "neighbour 10.0.0.4 on backbo-server4 Full")
        .doesNotContain("n3w-md5-key").doesNotContain("s3cret-md5");
    assertThat(report).as("the other hosts were left alone").doesNotContain("server1:ospf")
        .doesNotContain("server4:ospf");

    Files.writeString(dir.resolve("ospf.key"), "s3cret-md5\n");
    Cli.Run restored = Cli.run("--lab", spec.toString());
    assertThat(restored.exit()).as(restored.toString()).isZero();
    assertThat(restored.out()).contains("ospf-router/server3:ospf").doesNotContain("server1:ospf");
    assertEveryHostRoutesEverywhere();
  }

  @Test
  void aLinkDroppedFromTheSpecLosesItsAddressesAtBothEnds_andOspfRoutesAroundIt() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    assertThat(Cli.run("--lab", spec.toString()).exit()).isZero();
    assertThat(addressesOn("server1", "backbo-server3")).hasSize(1);

    writeSpec("server5", ALL_LINKS.replace("[server1, server3], ", ""));
    Cli.Run drop = Cli.run("--lab", spec.toString());
    assertThat(drop.exit()).as(drop.toString()).isZero();
    assertThat(addressesOn("server1", "backbo-server3")).as("server1's end of the dropped link").isEmpty();
    assertThat(addressesOn("server3", "backbo-server1")).as("server3's end of the dropped link").isEmpty();
    assertThat(routes("server1").get("10.0.0.3/32")).as("server1 reaches server3 through server2 now")
        .isEqualTo("backbo-server2");
    assertEveryHostRoutesEverywhere();

    Cli.Run again = Cli.run("--lab", spec.toString());
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("the second converge does nothing").isEmpty();
  }

  @Test
  void aThirtyHostChainConverges() throws Exception {
    StringBuilder hosts = new StringBuilder();
    StringBuilder links = new StringBuilder();
    StringBuilder addresses = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      hosts.append("  h%d: { address: 198.51.100.%d, loopback: 10.0.1.%d/32 }%n".formatted(i, i, i));
      addresses.append("      h%d: [172.16.3.%d]%n".formatted(i, i));
      if (i > 1) {
        links.append(links.length() == 0 ? "" : ", ").append("[h%d, h%d]".formatted(i - 1, i));
      }
    }
    Files.writeString(spec, """
        site: ospfchain
        hosts:
        %snetworks:
          chain: { kind: links, cidr: 172.16.0.0/22, links: [%s] }
          svc:
            kind: loopback
            interface: lo2
            cidr: 172.16.3.0/24
            addresses:
        %sospf:
          areas:
            0.0.0.0: { networks: [chain, svc], hello: 1, dead: 3, fast-convergence: true }
        """.formatted(hosts, links, addresses));
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    long start = System.nanoTime();
    Cli.Run converge = Cli.run("--lab", spec.toString());
    System.out.printf("30-host chain: converge --lab to routing converged: %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertThat(converge.exit()).as(converge.toString()).isZero();
    assertThat(routes("h1")).containsKeys("10.0.1.30/32", "172.16.3.30/32");
    assertThat(routes("h30")).containsKeys("10.0.1.1/32", "172.16.3.1/32");
  }

  private void assertEveryHostRoutesEverywhere() throws Exception {
    for (String host : HOSTS) {
      TreeSet<String> expected = new TreeSet<>();
      for (int i = 1; i <= 5; i++) {
        expected.add("10.0.0." + i + "/32");
        expected.add("172.16.3." + i + "/32");
      }
      expected.removeAll(addressesOf(host));
      assertThat(routes(host).keySet()).as("routes of %s", host).containsAll(expected);
    }
  }

  private Cli.Run exec(String host, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("lab", "exec", spec.toString(), host, "--"));
    args.addAll(List.of(command));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Destination → the devices of its next hops, from the host's kernel table. */
  private Map<String, String> routes(String host) throws Exception {
    Cli.Run run = exec(host, "ip", "-4", "-j", "route", "show");
    assertThat(run.exit()).as(run.toString()).isZero();
    Map<String, String> routes = new HashMap<>();
    for (JsonNode r : JSON.readTree(run.out())) {
      String dst = r.path("dst").asText();
      String devices = r.has("dev") ? r.path("dev").asText() : r.path("nexthops").findValuesAsText("dev").toString();
      routes.put(dst.contains("/") ? dst : dst + "/32", devices);
    }
    return routes;
  }

  private List<String> addressesOn(String host, String device) throws Exception {
    Cli.Run run = exec(host, "ip", "-4", "-j", "addr", "show", "dev", device);
    assertThat(run.exit()).as(run.toString()).isZero();
    return JSON.readTree(run.out()).findValuesAsText("local");
  }

  private List<String> addressesOf(String host) throws Exception {
    Cli.Run run = exec(host, "ip", "-4", "-j", "addr", "show");
    return JSON.readTree(run.out()).findValuesAsText("local").stream().map(a -> a + "/32").toList();
  }

  /** The protocol that put {@code prefix} in the host's main routing table ({@code ospf}, {@code kernel} …). */
  private String protocolOfRoute(String host, String prefix) throws Exception {
    Cli.Run run = exec(host, "ip", "-4", "-j", "route", "show", prefix);
    assertThat(run.exit()).as(run.toString()).isZero();
    return JSON.readTree(run.out()).path(0).path("protocol").asText();
  }

  /** Neighbour router id → adjacency uptime in milliseconds, from FRR. */
  private Map<String, Long> neighbourUptimes(String host) throws Exception {
    Cli.Run run = exec(host, "vtysh", "-c", "show ip ospf neighbor json");
    assertThat(run.exit()).as(run.toString()).isZero();
    Map<String, Long> uptimes = new HashMap<>();
    JSON.readTree(run.out()).path("neighbors").fields().forEachRemaining(e ->
        uptimes.put(e.getKey(), e.getValue().get(0).path("upTimeInMsec").asLong()));
    assertThat(uptimes).isNotEmpty();
    return uptimes;
  }
}

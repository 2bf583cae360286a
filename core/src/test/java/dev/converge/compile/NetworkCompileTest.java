package dev.converge.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.graph.DesiredGraph;
import dev.converge.plan.PlanText;
import dev.converge.plan.Planner;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How networks, hosts' loopbacks and OSPF areas compile into interface, ip-forwarding, nat and ospf-router. */
class NetworkCompileTest {

  private static final Map<String, String> ENVIRONMENT = Map.of("OSPF_KEY", "CorrectHorseBatteryRoute\n");

  /** Two routers and a third host on one links network, jails on lo2 with NAT, a bridge, an MD5 area. */
  private static final String SMALL = """
      site: small
      secrets: { ospf-key: { env: OSPF_KEY } }
      hosts:
        server1: { address: 192.0.2.1, loopback: 10.0.0.1/32, external-interface: eth0, packages: [frr] }
        server2: { address: 192.0.2.2, loopback: 10.0.0.2/32, external-interface: ens3 }
        server3: { address: 192.0.2.3, loopback: 10.0.0.3/32 }
      networks:
        backbone: { kind: links, cidr: 172.16.2.0/24, links: [[server1, server2], [server3, server1]] }
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24, nat: true,
                 addresses: { server1: [172.16.3.1, 172.16.3.5], server2: [172.16.3.17] } }
        vms: { kind: bridge, interface: br1, cidr: 10.1.0.0/24, addresses: { server1: [10.1.0.1] } }
      ospf:
        areas:
          0.0.0.0:
            authentication: { md5: ospf-key }
            networks: [backbone, jails]
            hosts: [server1, server2]
            hello: 1
            dead: 3
      files:
        - { host: server1, path: /etc/motd, content: "hi\\n" }
      """;

  @TempDir Path dir;

  private Spec load(String yaml) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    return SpecLoader.builder().environment(ENVIRONMENT).build().load(file).spec();
  }

  private Compilation compile(String yaml, Map<String, ? extends Map<String, String>> recorded) throws Exception {
    Spec spec = load(yaml);
    return Compiler.compile(spec, recorded, Secrets.of(spec, ENVIRONMENT));
  }

  private static Properties props(DesiredGraph g, String id) {
    return g.resource(ResourceId.parse(id)).orElseThrow(() -> new AssertionError("no " + id)).properties();
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @Test
  void everyHostGetsAnInterfacePerInterfaceConvergePutsAddressesOn() throws Exception {
    DesiredGraph g = compile(SMALL, Map.of()).graph();

    assertThat(g.resources().keySet()).extracting(ResourceId::toString).filteredOn(id -> id.startsWith("interface/"))
        .containsExactly(
            "interface/server1:backbo-server2", "interface/server1:backbo-server3", "interface/server1:br1",
            "interface/server1:lo1", "interface/server1:lo2",
            "interface/server2:backbo-server1", "interface/server2:lo1", "interface/server2:lo2",
            "interface/server3:backbo-server1", "interface/server3:lo1");
    assertThat(props(g, "interface/server1:lo1")).isEqualTo(Properties.of(map(
        "type", "loopback", "addresses", List.of("10.0.0.1/32"), "managed", List.of("10.0.0.1/32"))));
    assertThat(props(g, "interface/server1:lo2")).isEqualTo(Properties.of(map(
        "type", "loopback", "addresses", List.of("172.16.3.1/32", "172.16.3.5/32"),
        "managed", List.of("172.16.3.0/24"))));
    assertThat(props(g, "interface/server1:br1")).isEqualTo(Properties.of(map(
        "type", "bridge", "addresses", List.of("10.1.0.1/24"), "managed", List.of("10.1.0.0/24"))));
    assertThat(props(g, "interface/server1:backbo-server2")).as("a of the first link: first usable of the first /30")
        .isEqualTo(Properties.of(map("type", "link", "peer", "server2", "addresses", List.of("172.16.2.1/30"),
            "managed", List.of("172.16.2.0/24"))));
    assertThat(props(g, "interface/server3:backbo-server1")).as("a of the second link")
        .isEqualTo(Properties.of(map("type", "link", "peer", "server1", "addresses", List.of("172.16.2.5/30"),
            "managed", List.of("172.16.2.0/24"))));
    assertThat(props(g, "interface/server1:backbo-server3").asMap().get("addresses"))
        .isEqualTo(List.of("172.16.2.6/30"));
  }

  @Test
  void forwardingOnEveryHostThatRoutes_natPerNatNetworkAHostHasAnAddressIn() throws Exception {
    DesiredGraph g = compile(SMALL, Map.of()).graph();

    assertThat(g.resources().keySet()).extracting(ResourceId::toString)
        .filteredOn(id -> id.startsWith("ip-forwarding/") || id.startsWith("nat/"))
        .containsExactly("ip-forwarding/server1:ipv4", "ip-forwarding/server2:ipv4", "ip-forwarding/server3:ipv4",
            "nat/server1:jails", "nat/server2:jails");
    assertThat(props(g, "ip-forwarding/server2:ipv4")).isEqualTo(Properties.of(Map.of("enabled", true)));
    assertThat(props(g, "nat/server1:jails")).isEqualTo(Properties.of(Map.of(
        "source", "172.16.3.0/24", "interface", "eth0")));
    assertThat(props(g, "nat/server2:jails")).isEqualTo(Properties.of(Map.of(
        "source", "172.16.3.0/24", "interface", "ens3")));
  }

  @Test
  void ospfRouters_forTheAreasHosts_withInterfacesNetworksNeighborsAndRoutes() throws Exception {
    DesiredGraph g = compile(SMALL, Map.of()).graph();
    Sensitive key = new Sensitive("CorrectHorseBatteryRoute");
    Map<String, Object> active = map("area", "0.0.0.0", "passive", false, "network-type", "point-to-point",
        "hello", 1L, "dead", 3L, "md5-key", key);
    Map<String, Object> passive = map("area", "0.0.0.0", "passive", true);

    assertThat(g.resources().keySet()).extracting(ResourceId::toString).filteredOn(id -> id.startsWith("ospf"))
        .as("server3 is not among the area's hosts").containsExactly("ospf-router/server1:ospf",
            "ospf-router/server2:ospf");
    assertThat(props(g, "ospf-router/server1:ospf")).isEqualTo(Properties.of(map(
        "router-id", "10.0.0.1",
        "interfaces", Map.of("backbo-server2", active, "backbo-server3", passive, "lo1", passive, "lo2", passive),
        "networks", Map.of("10.0.0.1/32", "0.0.0.0", "172.16.2.0/30", "0.0.0.0", "172.16.2.4/30", "0.0.0.0",
            "172.16.3.1/32", "0.0.0.0", "172.16.3.5/32", "0.0.0.0"),
        "neighbors", Map.of("backbo-server2", "10.0.0.2"),
        "routes", List.of("10.0.0.2/32", "172.16.3.17/32"),
        "redistribute", List.of(),
        "fast-convergence", false)));
    assertThat(props(g, "ospf-router/server2:ospf")).isEqualTo(Properties.of(map(
        "router-id", "10.0.0.2",
        "interfaces", Map.of("backbo-server1", active, "lo1", passive, "lo2", passive),
        "networks", Map.of("10.0.0.2/32", "0.0.0.0", "172.16.2.0/30", "0.0.0.0", "172.16.3.17/32", "0.0.0.0"),
        "neighbors", Map.of("backbo-server1", "10.0.0.1"),
        "routes", List.of("10.0.0.1/32", "172.16.3.1/32", "172.16.3.5/32"),
        "redistribute", List.of(),
        "fast-convergence", false)));
    assertThat(props(g, "ospf-router/server1:ospf").toString()).doesNotContain("CorrectHorse");
  }

  @Test
  void aRouterOnQuagga_saysSo_andOneOnFrr_hasNoDaemonField() throws Exception {
    DesiredGraph g = compile(SMALL.replace("server2: { address: 192.0.2.2,",
        "server2: { address: 192.0.2.2, os: freebsd, routing-daemon: quagga,"), Map.of()).graph();

    assertThat(props(g, "ospf-router/server2:ospf").asMap()).containsEntry("daemon", "quagga")
        .containsEntry("router-id", "10.0.0.2");
    assertThat(props(g, "ospf-router/server1:ospf").asMap()).doesNotContainKey("daemon");
  }

  @Test
  void fastConvergence_marksTheRoutersOfEveryHostInAFastArea_andOnlyThose() throws Exception {
    DesiredGraph g = compile(SMALL.replace("      dead: 3\n", """
              dead: 3
              fast-convergence: true
            0.0.0.1: { networks: [vms], hosts: [server1, server3] }
        """), Map.of()).graph();

    assertThat(props(g, "ospf-router/server1:ospf").asMap()).as("in the fast area and a slow one")
        .containsEntry("fast-convergence", true);
    assertThat(props(g, "ospf-router/server2:ospf").asMap()).containsEntry("fast-convergence", true);
    assertThat(props(g, "ospf-router/server3:ospf").asMap()).as("only in the slow area")
        .containsEntry("fast-convergence", false);
  }

  @Test
  void natAndOspfWaitForTheHostsInterfaces_ospfForForwardingAndPackages_filesAndServicesForAllOfThem()
      throws Exception {
    Compilation c = compile(SMALL.replace("packages: [frr] }", "packages: [frr], services: { frr: ~ } }"), Map.of());
    DesiredGraph g = c.graph();
    ResourceId router = ResourceId.parse("ospf-router/server1:ospf");
    ResourceId nat = ResourceId.parse("nat/server1:jails");
    Set<ResourceId> interfaces = Set.of(ResourceId.parse("interface/server1:lo1"),
        ResourceId.parse("interface/server1:lo2"), ResourceId.parse("interface/server1:br1"),
        ResourceId.parse("interface/server1:backbo-server2"), ResourceId.parse("interface/server1:backbo-server3"));

    assertThat(g.dependenciesOf(router)).containsAll(interfaces).contains(
        ResourceId.parse("ip-forwarding/server1:ipv4"), ResourceId.parse("package/server1:frr"));
    assertThat(g.dependenciesOf(nat)).containsExactlyInAnyOrderElementsOf(interfaces);
    assertThat(g.dependenciesOf(ResourceId.parse("file/server1:/etc/motd"))).contains(router, nat,
        ResourceId.parse("ip-forwarding/server1:ipv4")).containsAll(interfaces);
    assertThat(g.dependenciesOf(ResourceId.parse("service/server1:frr"))).contains(router, nat);
    assertThat(c.entities().get("network/jails")).containsExactlyInAnyOrder(
        ResourceId.parse("interface/server1:lo2"), ResourceId.parse("interface/server2:lo2"), nat,
        ResourceId.parse("nat/server2:jails"));
    assertThat(c.entities().get("host/server1")).contains(router, nat);
  }

  @Test
  void linkSubnets_areRecorded_keptAcrossRuns_releasedWithTheirLink_andGivenBackWhenRelinked() throws Exception {
    Compilation first = compile(SMALL, Map.of());
    assertThat(first.allocations().get("backbone")).containsExactly(
        Map.entry("link/server1,server2", "172.16.2.0/30"), Map.entry("link/server1,server3", "172.16.2.4/30"));

    String withoutFirstLink = SMALL.replace("[[server1, server2], [server3, server1]]", "[[server3, server1]]");
    Compilation second = compile(withoutFirstLink, first.allocations());
    assertThat(second.allocations().get("backbone")).as("never renumbered; the dropped link's /30 released")
        .containsExactly(Map.entry("link/server1,server3", "172.16.2.4/30"),
            Map.entry("released/server1,server2", "172.16.2.0/30"));
    assertThat(props(second.graph(), "interface/server3:backbo-server1").asMap().get("addresses"))
        .isEqualTo(List.of("172.16.2.5/30"));

    String withNewLink = SMALL.replace("[[server1, server2], [server3, server1]]",
        "[[server3, server1], [server2, server3], [server1, server2]]");
    Compilation third = compile(withNewLink, second.allocations());
    assertThat(third.allocations().get("backbone")).containsExactly(
        Map.entry("link/server1,server2", "172.16.2.0/30"), Map.entry("link/server1,server3", "172.16.2.4/30"),
        Map.entry("link/server2,server3", "172.16.2.8/30"));
  }

  @Test
  void aDroppedLink_leavesBothEndsAnInterfaceHoldingNoneOfConvergesAddressesInItsFormerSubnet() throws Exception {
    Compilation first = compile(SMALL, Map.of());
    String withoutFirstLink = SMALL.replace("[[server1, server2], [server3, server1]]", "[[server3, server1]]");

    DesiredGraph g = compile(withoutFirstLink, first.allocations()).graph();

    Properties released = Properties.of(map("type", "link", "addresses", List.of(),
        "managed", List.of("172.16.2.0/30")));
    assertThat(props(g, "interface/server1:backbo-server2")).isEqualTo(released.with("peer", "server2"));
    assertThat(props(g, "interface/server2:backbo-server1")).isEqualTo(released.with("peer", "server1"));
    assertThat(((Map<?, ?>) props(g, "ospf-router/server1:ospf").asMap().get("interfaces")).keySet().toString())
        .as("OSPF no longer runs on it").doesNotContain("backbo-server2");
    assertThat(((Map<?, ?>) props(g, "ospf-router/server1:ospf").asMap().get("networks")).keySet().toString())
        .doesNotContain("172.16.2.0/30");

    String withoutServer2 = withoutFirstLink.replace("  server2: { address: 192.0.2.2, loopback: 10.0.0.2/32,"
        + " external-interface: ens3 }\n", "").replace(", server2: [172.16.3.17]", "").replace("[server1, server2]",
        "[server1]");
    Compilation gone = compile(withoutServer2, compile(withoutFirstLink, first.allocations()).allocations());
    assertThat(gone.allocations().get("backbone")).as("a released /30 goes with its hosts")
        .containsOnlyKeys("link/server1,server3");
    assertThat(gone.graph().resource(ResourceId.parse("interface/server1:backbo-server2"))).isEmpty();
  }

  @Test
  void thePlanForTheSameInputIsByteIdentical() throws Exception {
    assertThat(planText(compile(SMALL, Map.of()))).isEqualTo(planText(compile(SMALL, Map.of())))
        .contains("+ create ospf-router/server1:ospf").contains("md5-key: (sensitive)").doesNotContain("CorrectHorse");
  }

  private static String planText(Compilation c) {
    SortedMap<ResourceId, Observation> absent = new TreeMap<>();
    c.graph().resources().keySet().forEach(id -> absent.put(id, Observation.absent(id)));
    Function<String, Set<String>> immutable = kind -> Set.of();
    return PlanText.plain().render(Planner.plan(new Planner.Input("small", c.graph(), List.<Resource>of(), Map.of(),
        absent, immutable, kind -> false, r -> java.util.Optional.empty(), "digest", "lineage", 0, new byte[32], c.notes())));
  }

  @Test
  void theExampleSite_compilesTheSeedTopology() throws Exception {
    Spec spec = SpecLoader.builder().environment(Map.of()).build().load(Path.of("../specs/site.yaml")).spec();
    Compilation c = Compiler.compile(spec, Map.of(), Secrets.unread(spec));
    DesiredGraph g = c.graph();

    assertThat(g.resources().keySet()).extracting(ResourceId::kind).filteredOn("ospf-router"::equals).hasSize(5);
    assertThat(props(g, "ospf-router/server1:ospf").asMap().get("neighbors")).as("server1 sees server2 and server3")
        .isEqualTo(Map.of("backbo-server2", "10.0.0.2", "backbo-server3", "10.0.0.3"));
    assertThat(props(g, "ospf-router/server4:ospf").asMap().get("routes")).isEqualTo(List.of(
        "10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.5/32", "172.16.3.1/32"));
    assertThat(props(g, "interface/server5:backbo-server4").asMap().get("addresses"))
        .as("the sixth link's b end").isEqualTo(List.of("172.16.2.22/30"));
    assertThat(g.resources().keySet()).extracting(ResourceId::toString).filteredOn(id -> id.startsWith("nat/"))
        .containsExactly("nat/server1:jails", "nat/server1:vms");
    assertThat(props(g, "nat/server1:vms")).isEqualTo(Properties.of(Map.of("source", "10.1.0.0/24",
        "interface", "vtnet0")));
    assertThat(c.notes()).noneMatch(n -> n.contains("network") || n.contains("OSPF"));
  }

  @Test
  void oneInterfaceWantedAsTwoKinds_isAnErrorNamingHostAndInterface() {
    String clash = SMALL.replace("interface: br1", "interface: lo2").replace("hosts: [server1, server2]",
        "hosts: [server1]");
    assertThatThrownBy(() -> compile(clash, Map.of())).isInstanceOf(CompileException.class)
        .hasMessageContaining("network `vms` wants interface `lo2` on host `server1` as a bridge, but it is already a"
            + " loopback");
  }
}

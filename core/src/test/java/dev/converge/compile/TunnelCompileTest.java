package dev.converge.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.plan.Plan;
import dev.converge.plan.PlanJson;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Links networks with {@code tunnel:}: the link interfaces converge builds as WireGuard or GRE tunnels. */
class TunnelCompileTest {

  private static final String KEY1 = "YLUfVbjnkr33nZduJLJAoIWQPn/4TdrDYST9zqDteNI=";
  private static final String PUB1 = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
  private static final String PUB2 = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
  private static final Map<String, String> ENVIRONMENT = Map.of("WG1", KEY1 + "\n", "WG2", "second-private-key");

  private static final String WIREGUARD = """
      site: tunnels
      secrets: { wg1: { env: WG1 }, wg2: { env: WG2 } }
      hosts:
        server1: { address: 192.0.2.1, wireguard: { private-key: wg1, public-key: "%s" } }
        server2: { address: 192.0.2.2, wireguard: { private-key: wg2, public-key: "%s" } }
        server3: { address: 192.0.2.3 }
      networks:
        backbone: { kind: links, cidr: 172.16.2.0/24, tunnel: wireguard, port: 51000,
                    links: [[server3, server1], [server1, server2]] }
        plain: { kind: links, cidr: 172.16.9.0/30, links: [[server2, server3]] }
      """;

  @TempDir Path dir;

  private Compilation compile(String yaml, boolean lab) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    Spec spec = SpecLoader.builder().environment(ENVIRONMENT).build().load(file).spec();
    return Compiler.compile(spec, Map.of(), Secrets.of(spec, ENVIRONMENT), lab);
  }

  private static String wireguardSpec() {
    // server3 is on the wireguard network too: give it a key pair
    return WIREGUARD.formatted(PUB1, PUB2).replace("server3: { address: 192.0.2.3 }",
        "server3: { address: 192.0.2.3, wireguard: { private-key: wg2, public-key: \"" + PUB2 + "\" } }");
  }

  private static Object tunnel(Compilation c, String id) {
    return c.graph().resource(ResourceId.parse(id)).orElseThrow().properties().get("tunnel").orElse(null);
  }

  @Test
  void aWireguardLinkEnd_carriesBothAddresses_thePortOfItsSubnet_itsKeyAsSensitive_andThePeersPublicKey()
      throws Exception {
    Compilation c = compile(wireguardSpec(), false);

    // [server3, server1] holds the first /30 (index 0), [server1, server2] the second (index 1)
    assertThat(tunnel(c, "interface/server1:backbo-server2")).isEqualTo(Properties.of(Map.of("t", Map.of(
        "kind", "wireguard", "local", "192.0.2.1", "remote", "192.0.2.2", "listen-port", 51001L,
        "peer-port", 51001L, "private-key", new Sensitive(KEY1), "peer-public-key", PUB2,
        "allowed-ips", List.of("0.0.0.0/0")))).get("t").orElseThrow());
    Map<?, ?> other = (Map<?, ?>) tunnel(c, "interface/server2:backbo-server1");
    assertThat(other.get("local")).isEqualTo("192.0.2.2");
    assertThat(other.get("remote")).isEqualTo("192.0.2.1");
    assertThat(other.get("listen-port")).isEqualTo(51001L);
    assertThat(other.get("peer-public-key")).isEqualTo(PUB1);
    assertThat(other.get("private-key")).isEqualTo(new Sensitive("second-private-key"));
    assertThat(((Map<?, ?>) tunnel(c, "interface/server1:backbo-server3")).get("listen-port")).isEqualTo(51000L);
    assertThat(tunnel(c, "interface/server2:plain-server3")).isNull();
  }

  @Test
  void aGreLinkEnd_carriesOnlyKindAndAddresses() throws Exception {
    Compilation c = compile(WIREGUARD.formatted(PUB1, PUB2).replace("tunnel: wireguard, port: 51000",
        "tunnel: gre"), false);

    assertThat(tunnel(c, "interface/server3:backbo-server1")).isEqualTo(Properties.of(Map.of("t", Map.of(
        "kind", "gre", "local", "192.0.2.3", "remote", "192.0.2.1"))).get("t").orElseThrow());
  }

  @Test
  void inTheLab_whoseVethsAreTheLinks_noTunnelIsCompiled() throws Exception {
    Compilation c = compile(wireguardSpec(), true);

    for (String id : List.of("interface/server1:backbo-server2", "interface/server2:backbo-server1",
        "interface/server1:backbo-server3", "interface/server3:backbo-server1")) {
      assertThat(c.graph().resource(ResourceId.parse(id)).orElseThrow().properties().get("tunnel")).isEmpty();
    }
  }

  @Test
  void thePlan_textAndJson_neverShowsAPrivateKey() throws Exception {
    Plan plan = plan(compile(wireguardSpec(), false));

    assertThat(PlanText.plain().render(plan)).contains("+ create interface/server1:backbo-server2")
        .contains("private-key: (sensitive)").contains(PUB2).doesNotContain(KEY1).doesNotContain("second-private");
    assertThat(PlanJson.render(plan, dir.resolve("site.yaml"), dir)).contains("\"field\" : \"tunnel\"")
        .doesNotContain(KEY1)
        .doesNotContain("second-private");
  }

  @Test
  void aDroppedTunnelLink_leavesNoInterfaceResource_soTheEngineDeletesTheTunnelItMade() throws Exception {
    Compilation before = compile(wireguardSpec(), false);
    Compilation after = compile(wireguardSpec().replace("[[server3, server1], [server1, server2]]",
        "[[server3, server1]]"), false);
    Compilation next = Compiler.compile(load(wireguardSpec().replace("[[server3, server1], [server1, server2]]",
        "[[server3, server1]]")), before.allocations(), Secrets.of(load(wireguardSpec()), ENVIRONMENT));

    assertThat(after.graph().resource(ResourceId.parse("interface/server1:backbo-server2"))).isEmpty();
    assertThat(next.graph().resource(ResourceId.parse("interface/server1:backbo-server2"))).isEmpty();
    assertThat(next.graph().resource(ResourceId.parse("interface/server1:backbo-server3"))).isPresent();
  }

  @Test
  void anUnreadablePrivateKey_isAnErrorNamingTheHost() {
    String yaml = wireguardSpec().replace("secrets: { wg1: { env: WG1 }", "secrets: { wg1: { env: NOT_SET }");

    assertThatThrownBy(() -> compile(yaml, false)).isInstanceOf(CompileException.class)
        .hasMessageContaining("host `server1`: WireGuard private key: ").hasMessageContaining("NOT_SET");
  }

  @Test
  void anUnreadablePrivateKey_doesNotMatterInTheLab() throws Exception {
    String yaml = wireguardSpec().replace("secrets: { wg1: { env: WG1 }", "secrets: { wg1: { env: NOT_SET }");

    assertThat(compile(yaml, true).graph().resource(ResourceId.parse("interface/server1:backbo-server2")))
        .isPresent();
  }

  private Spec load(String yaml) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    return SpecLoader.builder().environment(ENVIRONMENT).build().load(file).spec();
  }

  private static Plan plan(Compilation c) {
    SortedMap<ResourceId, Observation> absent = new TreeMap<>();
    c.graph().resources().keySet().forEach(id -> absent.put(id, Observation.absent(id)));
    return Planner.plan(new Planner.Input("tunnels", c.graph(), List.<Resource>of(), Map.of(), absent,
        kind -> Set.of(), kind -> false, r -> java.util.Optional.empty(), "digest", "lineage", 0, new byte[32],
        c.notes()));
  }
}

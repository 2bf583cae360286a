package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Target;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.testing.CountingTransport;
import java.nio.file.Path;
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

/**
 * The network drivers against a real lab host (its own network namespace), reached over SSH as the engine reaches
 * it. Two hosts joined by a links network give h1 the veth {@code backbo-h2}. Assertions read what the kernel says
 * ({@code ip -j addr show}, {@code nft -j list ruleset}, /proc), never the drivers' own opinion.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkDriversLabTest {

  private static final String HOST = "h1";
  private static final String LINK = "backbo-h2";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static TestLab lab;
  private static CountingTransport transport;
  private static Target target;

  private final Driver interfaces = new InterfaceDriver();
  private final Driver forwarding = new IpForwardingDriver();
  private final Driver nat = new NatDriver();

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    lab = TestLab.up(dir, """
        site: netdrivers
        hosts:
          h1: { address: 192.0.2.1 }
          h2: { address: 192.0.2.2 }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[h1, h2]] }
        """);
    transport = lab.transport(HOST);
    target = lab.target(HOST);
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ interface

  @Test
  @Order(1)
  void loopbacks_areCreatedUpWithTheirAddresses_inOneProbeRoundTripPerBatch() throws Exception {
    Resource lo1 = iface("lo1", "loopback", List.of("10.0.0.1/32"), List.of("10.0.0.1/32"));
    Resource lo2 = iface("lo2", "loopback", List.of("172.16.3.1/32", "172.16.3.5/32"), List.of("172.16.3.0/24"));
    Resource br1 = iface("br1", "bridge", List.of("10.1.0.1/24"), List.of("10.1.0.0/24"));

    transport.reset();
    List<Observation> seen = interfaces.probe(target, List.of(lo1, lo2, br1));
    assertThat(transport.roundTrips()).as("one ip -j -d addr show for the batch").isEqualTo(1);
    assertThat(seen).extracting(Observation::isPresent).containsExactly(false, false, false);

    converge(interfaces, lo1);
    converge(interfaces, lo2);
    converge(interfaces, br1);

    assertThat(addresses("lo1")).containsExactly("10.0.0.1/32");
    assertThat(addresses("lo2")).containsExactly("172.16.3.1/32", "172.16.3.5/32");
    assertThat(addresses("br1")).containsExactly("10.1.0.1/24");
    assertThat(link("br1").path("linkinfo").path("info_kind").asText()).isEqualTo("bridge");
    assertThat(link("lo2").path("flags").toString()).contains("\"UP\"");
  }

  @Test
  @Order(2)
  void anAddressConvergeDoesNotManage_isNeitherReportedNorRemoved_whileADroppedOneIs() throws Exception {
    host("ip", "addr", "add", "192.168.50.1/32", "dev", "lo2");
    Resource lo2 = iface("lo2", "loopback", List.of("172.16.3.5/32"), List.of("172.16.3.0/24"));

    Change change = changeFor(interfaces, lo2).orElseThrow();
    assertThat(change.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(change.fields()).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("addresses");
      assertThat(f.before()).contains(List.of("172.16.3.1/32", "172.16.3.5/32"));
    });
    converge(interfaces, lo2);

    assertThat(addresses("lo2")).containsExactlyInAnyOrder("172.16.3.5/32", "192.168.50.1/32");
  }

  @Test
  @Order(3)
  void aLinkTheLabMade_getsItsAddress_andKeepsTheOnesConvergeDoesNotOwn() throws Exception {
    host("ip", "addr", "add", "198.18.0.1/32", "dev", LINK);
    Resource link = Resource.present(ResourceId.of("interface", HOST, LINK), Properties.of(Map.of("type", "link",
        "addresses", List.of("172.16.2.1/30"), "managed", List.of("172.16.2.0/24"), "peer", "h2")), Location.unknown());

    converge(interfaces, link);

    assertThat(addresses(LINK)).contains("172.16.2.1/30", "198.18.0.1/32");
    ExecResult ping = lab.lab().run(HOST, Command.of("ip", "-j", "route", "get", "172.16.2.2"));
    assertThat(ping.out()).as("the /30 is connected on the link").contains("\"dev\":\"" + LINK + "\"");
  }

  @Test
  @Order(4)
  void aMissingLink_failsNamingHostAndInterface_andCreatesNothing() throws Exception {
    Resource missing = iface("backbo-h9", "link", List.of("172.16.2.5/30"), List.of("172.16.2.0/24"));

    Change change = changeFor(interfaces, missing).orElseThrow();
    assertThat(change.type()).isEqualTo(ChangeType.CREATE);
    assertThatThrownBy(() -> interfaces.apply(target, change)).isInstanceOf(ActionException.class)
        .hasMessageContaining("interface backbo-h9 on " + HOST + " is missing")
        .hasMessageContaining("does not create link interfaces");
    assertThat(lab.lab().run(HOST, Command.of("ip", "link", "show", "dev", "backbo-h9")).exitCode()).isNotZero();
  }

  @Test
  @Order(5)
  void anInterfaceTakenDownByHand_showsAsDrift_andIsBroughtUp() throws Exception {
    host("ip", "link", "set", "dev", "lo1", "down");
    Resource lo1 = iface("lo1", "loopback", List.of("10.0.0.1/32"), List.of("10.0.0.1/32"));

    assertThat(changeFor(interfaces, lo1).orElseThrow().fields()).singleElement()
        .satisfies(f -> assertThat(f.before()).contains("loopback (down)"));
    converge(interfaces, lo1);
    assertThat(link("lo1").path("flags").toString()).contains("\"UP\"");
  }

  @Test
  @Order(6)
  void anExistingInterfaceOfAnotherType_isRefused_notReplaced() throws Exception {
    Resource wrong = iface("br1", "loopback", List.of("10.1.0.1/24"), List.of("10.1.0.0/24"));

    Change change = changeFor(interfaces, wrong).orElseThrow();
    assertThatThrownBy(() -> interfaces.apply(target, change)).isInstanceOf(ActionException.class)
        .hasMessageContaining("interface br1 on " + HOST + " is a bridge, expected a loopback");
    assertThat(link("br1").path("linkinfo").path("info_kind").asText()).isEqualTo("bridge");
  }

  @Test
  @Order(7)
  void deletingALoopbackOrBridgeConvergeMade_removesTheInterface() throws Exception {
    converge(interfaces, Resource.absent(ResourceId.of("interface", HOST, "lo2"), Location.unknown()));
    converge(interfaces, Resource.absent(ResourceId.of("interface", HOST, "br1"), Location.unknown()));

    assertThat(lab.lab().run(HOST, Command.of("ip", "link", "show", "dev", "lo2")).exitCode()).isNotZero();
    assertThat(lab.lab().run(HOST, Command.of("ip", "link", "show", "dev", "br1")).exitCode()).isNotZero();
    assertThat(link(LINK).isMissingNode()).as("the link stays").isFalse();
  }

  @Test
  @Order(8)
  void aDroppedLink_losesConvergesAddressInItsFormerSubnet_keepsTheOthers_andIsAsWantedWhenGone() throws Exception {
    Resource released = Resource.present(ResourceId.of("interface", HOST, LINK), Properties.of(Map.of("type", "link",
        "addresses", List.of(), "managed", List.of("172.16.2.0/30"), "peer", "h2")), Location.unknown());

    converge(interfaces, released);

    assertThat(addresses(LINK)).doesNotContain("172.16.2.1/30").contains("198.18.0.1/32");
    assertThat(link(LINK).isMissingNode()).as("the link stays").isFalse();
    Resource gone = Resource.present(ResourceId.of("interface", HOST, "backbo-h9"), Properties.of(Map.of("type",
        "link", "addresses", List.of(), "managed", List.of("172.16.2.4/30"), "peer", "h9")), Location.unknown());
    assertThat(changeFor(interfaces, gone)).as("a dropped link whose interface is gone too").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ ip-forwarding

  @Test
  @Order(10)
  void forwarding_isTurnedOnAndPersisted_driftIsShown_andDeleteRemovesOnlyTheFile() throws Exception {
    Resource on = Resource.present(ResourceId.of("ip-forwarding", HOST, "ipv4"), Properties.of(Map.of("enabled",
        true)), Location.unknown());
    host("sysctl", "-w", "net.ipv4.ip_forward=0");

    assertThat(changeFor(forwarding, on).orElseThrow().type()).isEqualTo(ChangeType.CREATE);
    converge(forwarding, on);
    assertThat(host("cat", "/proc/sys/net/ipv4/ip_forward")).isEqualTo("1");
    assertThat(host("cat", IpForwardingDriver.FILE)).contains("net.ipv4.ip_forward = 1");

    host("sysctl", "-w", "net.ipv4.ip_forward=0");
    assertThat(changeFor(forwarding, on).orElseThrow().fields()).singleElement()
        .satisfies(f -> assertThat(f.before()).contains("live 0, persisted 1"));
    converge(forwarding, on);
    assertThat(host("cat", "/proc/sys/net/ipv4/ip_forward")).isEqualTo("1");

    converge(forwarding, Resource.absent(on.id(), Location.unknown()));
    assertThat(lab.lab().run(HOST, Command.of("test", "-e", IpForwardingDriver.FILE)).exitCode()).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ nat

  @Test
  @Order(20)
  void nat_addsOneMasqueradeRulePerNetwork_inConvergesOwnTable_leavingOtherTablesAlone() throws Exception {
    host("nft", "add", "table", "ip", "other");
    host("nft", "add", "chain", "ip", "other", "postrouting",
        "{ type nat hook postrouting priority srcnat; policy accept; }");
    host("nft", "add", "rule", "ip", "other", "postrouting", "ip", "saddr", "192.168.0.0/16", "masquerade");
    String otherBefore = host("nft", "-j", "list", "table", "ip", "other");
    Resource jails = natFor("jails", "172.16.3.0/24", LINK);
    Resource vms = natFor("vms", "10.1.0.0/24", LINK);

    transport.reset();
    assertThat(nat.probe(target, List.of(jails, vms))).extracting(Observation::isPresent)
        .as("no converge table yet").containsExactly(false, false);
    assertThat(transport.roundTrips()).isEqualTo(1);
    converge(nat, jails);
    converge(nat, vms);

    assertThat(rules()).containsExactlyInAnyOrder(
        "converge:jails oifname " + LINK + " saddr 172.16.3.0/24 masquerade",
        "converge:vms oifname " + LINK + " saddr 10.1.0.0/24 masquerade");

    converge(nat, natFor("vms", "10.1.0.0/24", "eth-other"));
    assertThat(rules()).contains("converge:vms oifname eth-other saddr 10.1.0.0/24 masquerade").hasSize(2);

    converge(nat, Resource.absent(jails.id(), Location.unknown()));
    assertThat(rules()).containsExactly("converge:vms oifname eth-other saddr 10.1.0.0/24 masquerade");
    assertThat(host("nft", "-j", "list", "table", "ip", "other")).isEqualTo(otherBefore);
  }

  @Test
  @Order(21)
  void aRuleEditedByHand_showsAsDrift_andIsReplaced() throws Exception {
    Resource vms = natFor("vms", "10.1.0.0/24", "eth-other");
    host("nft", "add", "rule", "ip", "converge", "postrouting", "ip", "saddr", "10.1.0.0/24", "accept", "comment",
        "\"converge:vms\"");

    assertThat(changeFor(nat, vms).orElseThrow().fields()).singleElement()
        .satisfies(f -> assertThat(f.before()).contains("10.1.0.0/24 (and 1 more rules)"));
    converge(nat, vms);
    assertThat(rules()).containsExactly("converge:vms oifname eth-other saddr 10.1.0.0/24 masquerade");
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Resource iface(String name, String type, List<String> addresses, List<String> managed) {
    return Resource.present(ResourceId.of("interface", HOST, name), Properties.of(Map.of("type", type,
        "addresses", addresses, "managed", managed)), Location.unknown());
  }

  private static Resource natFor(String network, String source, String iface) {
    return Resource.present(ResourceId.of("nat", HOST, network), Properties.of(Map.of("source", source,
        "interface", iface)), Location.unknown());
  }

  private static void converge(Driver driver, Resource resource) throws Exception {
    Change change = changeFor(driver, resource).orElseThrow(() -> new AssertionError(resource.id() + " in sync"));
    driver.apply(target, change);
    assertThat(changeFor(driver, resource)).as("%s after apply", resource.id()).isEmpty();
  }

  private static Optional<Change> changeFor(Driver driver, Resource resource) throws Exception {
    Observation seen = driver.probe(target, List.of(resource)).get(0);
    return Differ.diff(resource, seen, driver.immutableFields());
  }

  /** The interface as the kernel lists it; a missing node if there is none. */
  private static JsonNode link(String name) throws Exception {
    for (JsonNode i : JSON.readTree(host("ip", "-j", "-d", "addr", "show"))) {
      if (i.path("ifname").asText().equals(name)) {
        return i;
      }
    }
    return JSON.missingNode();
  }

  /** The IPv4 addresses on {@code name} as {@code ADDRESS/PREFIX}. */
  private static List<String> addresses(String name) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode a : link(name).path("addr_info")) {
      if (a.path("family").asText().equals("inet")) {
        out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
      }
    }
    return out;
  }

  /** converge's postrouting rules, read from the whole ruleset: comment, oifname, saddr, verdict. */
  private static List<String> rules() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode item : JSON.readTree(host("nft", "-j", "list", "ruleset")).path("nftables")) {
      JsonNode rule = item.path("rule");
      if (!rule.path("table").asText().equals("converge")) {
        continue;
      }
      StringBuilder sb = new StringBuilder(rule.path("comment").asText());
      for (JsonNode e : rule.path("expr")) {
        JsonNode m = e.path("match");
        if (m.path("left").path("meta").path("key").asText().equals("oifname")) {
          sb.append(" oifname ").append(m.path("right").asText());
        } else if (m.path("left").path("payload").path("field").asText().equals("saddr")) {
          JsonNode p = m.path("right").path("prefix");
          sb.append(" saddr ").append(p.path("addr").asText()).append('/').append(p.path("len").asInt());
        } else if (e.has("masquerade")) {
          sb.append(" masquerade");
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** The command's stdout, stripped; it must succeed. */
  private static String host(String... argv) {
    ExecResult r = lab.lab().run(HOST, Command.of(argv));
    assertThat(r.exitCode()).as("%s: %s", String.join(" ", argv), r.err()).isZero();
    return r.out().strip();
  }
}

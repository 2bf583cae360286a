package dev.converge.linux;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.compile.Tunnel;
import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.ScriptedTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Link interfaces converge builds as WireGuard or GRE tunnels. This kernel has neither module, so the tests check what
 * the driver runs and how it reads output. The {@code ip -j -d} JSON of the tunnels below is the shape iproute2
 * documents and prints (ip/iplink.c {@code linkinfo}, ip/link_gre.c {@code info_data} local/remote/ttl), not captured
 * here; the {@code wg show IF dump} lines are the tab-separated format of wg(8).
 */
class InterfaceTunnelTest {

  private static final String KEY = "YLUfVbjnkr33nZduJLJAoIWQPn/4TdrDYST9zqDteNI=";
  private static final String PEER = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
  private static final String OTHER_PEER = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

  private final InterfaceDriver driver = new InterfaceDriver();

  private static final Map<String, Object> WG = Map.of("kind", "wireguard", "local", "192.0.2.1",
      "remote", "192.0.2.2", "listen-port", 51001L, "peer-port", 51001L, "private-key", new Sensitive(KEY),
      "peer-public-key", PEER, "allowed-ips", List.of("0.0.0.0/0"));
  private static final Map<String, Object> GRE = Map.of("kind", "gre", "local", "192.0.2.1", "remote", "192.0.2.3");

  private static Resource link(String name, String peer, String address, Map<String, Object> tunnel) {
    return Resource.present(ResourceId.of("interface", "h1", name), Properties.of(Map.of("type", "link",
        "addresses", List.of(address), "managed", List.of("172.16.2.0/24"), "peer", peer, "tunnel", tunnel)),
        Location.unknown());
  }

  private final Resource wg = link("backbo-server2", "server2", "172.16.2.5/30", WG);
  private final Resource gre = link("backbo-server3", "server3", "172.16.2.1/30", GRE);

  private static String json(String name, String kind, String data, String address) {
    return "{\"ifindex\":7,\"ifname\":\"" + name + "\",\"flags\":[\"POINTOPOINT\",\"NOARP\",\"UP\",\"LOWER_UP\"],"
        + "\"mtu\":1420,\"operstate\":\"UNKNOWN\",\"link_type\":\"none\",\"linkinfo\":{\"info_kind\":\"" + kind + "\""
        + data + "},\"addr_info\":[{\"family\":\"inet\",\"local\":\"" + address.split("/")[0] + "\",\"prefixlen\":30,"
        + "\"scope\":\"global\",\"label\":\"" + name + "\"}]}";
  }

  private static final String LINKS = "[" + json("backbo-server2", "wireguard", "", "172.16.2.5/30") + ","
      + json("backbo-server3", "gre", ",\"info_data\":{\"remote\":\"192.0.2.3\",\"local\":\"192.0.2.1\",\"ttl\":255,"
      + "\"pmtudisc\":true}", "172.16.2.1/30") + "]\n";

  private static String dump(String keyHash, String peer, String endpoint) {
    return "\n--- wg backbo-server2\ninterface\t" + keyHash + "\t51001\n" + peer + "\t(none)\t" + endpoint
        + "\t0.0.0.0/0\t1733250000\t1234\t5678\toff\n";
  }

  private static Change change(Resource desired, Observation seen) {
    return Differ.diff(desired, seen, Set.of()).orElseThrow(() -> new AssertionError("no change"));
  }

  @Test
  void probe_readsAddressesAndEveryWireguardDumpInOneExec_andATunnelAsWantedShowsNoDrift() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.PROBE_WIREGUARD, "backbo-server2"),
            LINKS + dump(Tunnel.sha256(KEY), PEER, "192.0.2.2:51001"));

    List<Observation> o = driver.probe(host.target("h1"), List.of(wg, gre));

    assertThat(Differ.diff(wg, o.get(0), Set.of())).isEmpty();
    assertThat(Differ.diff(gre, o.get(1), Set.of())).isEmpty();
    host.assertAllAnswered();
  }

  @Test
  void probe_ofABatchWithoutWireguard_isThePlainAddressProbe() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(InterfaceDriver.PROBE.argv(), LINKS);

    assertThat(Differ.diff(gre, driver.probe(host.target("h1"), List.of(gre)).get(0), Set.of())).isEmpty();
  }

  @Test
  void probe_ofAnotherKey_reportsItsHashOnly_andAnotherPeerAndEndpoint() throws Exception {
    String otherHash = Tunnel.sha256("some other key");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.PROBE_WIREGUARD, "backbo-server2"),
            LINKS + dump(otherHash, OTHER_PEER, "198.51.100.9:4000"));

    Map<?, ?> t = (Map<?, ?>) driver.probe(host.target("h1"), List.of(wg)).get(0).actual().orElseThrow()
        .get("tunnel").orElseThrow();

    assertThat(t.get("private-key")).isEqualTo(new Sensitive("sha256:" + otherHash));
    assertThat(t.get("peer-public-key")).isEqualTo(OTHER_PEER);
    assertThat(t.get("remote")).isEqualTo("198.51.100.9");
    assertThat(t.get("peer-port")).isEqualTo(4000L);
  }

  @Test
  void apply_createsAMissingWireguardLink_withThePrivateKeyOnStdinOnly() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.PROBE_WIREGUARD, "backbo-server2"), "[]\n")
        .expect(List.of("ip", "link", "add", "backbo-server2", "type", "wireguard"), "")
        .expect(List.of("ip", "link", "set", "dev", "backbo-server2", "multicast", "on"), "")
        .expect(List.of("wg", "set", "backbo-server2", "listen-port", "51001", "private-key", "/dev/stdin", "peer",
            PEER, "endpoint", "192.0.2.2:51001", "allowed-ips", "0.0.0.0/0"), "")
        .expect(List.of("ip", "link", "set", "dev", "backbo-server2", "up"), "")
        .expect(List.of("ip", "addr", "add", "172.16.2.5/30", "dev", "backbo-server2"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(wg)).get(0);

    driver.apply(host.target("h1"), change(wg, seen));

    host.assertAllAnswered();
    List<Command> ran = host.executed();
    assertThat(ran).allSatisfy(c -> assertThat(String.join(" ", c.argv())).doesNotContain(KEY));
    assertThat(new String(ran.get(3).stdin(), StandardCharsets.UTF_8)).isEqualTo(KEY + "\n");
  }

  @Test
  void apply_toAWireguardLinkWithAnotherPeer_removesThatPeer_andSetsTheWantedOne() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.PROBE_WIREGUARD, "backbo-server2"),
            LINKS + dump(Tunnel.sha256(KEY), OTHER_PEER, "192.0.2.2:51001"))
        .expect(List.of("wg", "set", "backbo-server2", "peer", OTHER_PEER, "remove"), "")
        .expect(List.of("wg", "set", "backbo-server2", "listen-port", "51001", "private-key", "/dev/stdin", "peer",
            PEER, "endpoint", "192.0.2.2:51001", "allowed-ips", "0.0.0.0/0"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(wg)).get(0);

    driver.apply(host.target("h1"), change(wg, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_createsAMissingGreLink_betweenTheHostsAddresses() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(InterfaceDriver.PROBE.argv(), "[]\n")
        .expect(List.of("ip", "link", "add", "backbo-server3", "type", "gre", "local", "192.0.2.1", "remote",
            "192.0.2.3", "ttl", "255"), "")
        .expect(List.of("ip", "link", "set", "dev", "backbo-server3", "up"), "")
        .expect(List.of("ip", "addr", "add", "172.16.2.1/30", "dev", "backbo-server3"), "");

    driver.apply(host.target("h1"), change(gre, driver.probe(host.target("h1"), List.of(gre)).get(0)));

    host.assertAllAnswered();
  }

  @Test
  void apply_toAGreLinkWithAnotherRemote_changesItInPlace() throws Exception {
    Resource moved = link("backbo-server3", "server3", "172.16.2.1/30", Map.of("kind", "gre", "local", "192.0.2.1",
        "remote", "192.0.2.33"));
    ScriptedTransport host = new ScriptedTransport()
        .expect(InterfaceDriver.PROBE.argv(), LINKS)
        .expect(List.of("ip", "link", "set", "dev", "backbo-server3", "type", "gre", "local", "192.0.2.1", "remote",
            "192.0.2.33", "ttl", "255"), "");

    driver.apply(host.target("h1"), change(moved, driver.probe(host.target("h1"), List.of(moved)).get(0)));

    host.assertAllAnswered();
  }

  @Test
  void apply_toAnInterfaceOfAnotherKind_refusesToReplaceIt() throws Exception {
    String veth = "[" + json("backbo-server2", "veth", "", "172.16.2.5/30") + "]\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.PROBE_WIREGUARD, "backbo-server2"), veth + "\n--- wg backbo-server2\n");
    Observation seen = driver.probe(host.target("h1"), List.of(wg)).get(0);

    assertThatThrownBy(() -> driver.apply(host.target("h1"), change(wg, seen))).isInstanceOf(ActionException.class)
        .hasMessage("interface backbo-server2 on h1 is a veth interface, expected a wireguard tunnel: converge does"
            + " not replace an interface it did not make; rename or delete it");
    host.assertAllAnswered();
  }

  @Test
  void delete_ofATunnelConvergeMade_deletesTheInterface() throws Exception {
    Resource gone = Resource.absent(ResourceId.of("interface", "h1", "backbo-server2"), Location.unknown());
    ScriptedTransport host = new ScriptedTransport()
        .expect(InterfaceDriver.PROBE.argv(), LINKS)
        .expect(List.of("ip", "link", "del", "dev", "backbo-server2"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), change(gone, seen));

    host.assertAllAnswered();
  }

  /** The probe script itself, run by this machine's sh, against a stand-in {@code wg} that prints a dump. */
  @Test
  void theProbeScript_hashesThePrivateKeyOnTheHost_andNeverPrintsIt(@TempDir Path bin) throws Exception {
    Path wg = bin.resolve("wg");
    Files.writeString(wg, "#!/bin/sh\nprintf '%s\\t%s\\t51001\\toff\\n' '" + KEY + "' '" + OTHER_PEER + "'\n"
        + "printf '%s\\t(none)\\t192.0.2.2:51001\\t0.0.0.0/0\\t0\\t0\\t0\\toff\\n' '" + PEER + "'\n");
    Files.setPosixFilePermissions(wg, PosixFilePermissions.fromString("rwx------"));
    List<String> argv = new ArrayList<>(script(InterfaceDriver.PROBE_WIREGUARD, "backbo-server2"));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(out).doesNotContain(KEY).contains("\n--- wg backbo-server2\ninterface\t" + Tunnel.sha256(KEY)
        + "\t51001\n" + PEER + "\t(none)\t192.0.2.2:51001\t");
    assertThat(WgDump.parse(out.substring(out.indexOf("\n--- wg "))).get("backbo-server2").peers())
        .singleElement().satisfies(peer -> assertThat(peer.publicKey()).isEqualTo(PEER));
  }
}

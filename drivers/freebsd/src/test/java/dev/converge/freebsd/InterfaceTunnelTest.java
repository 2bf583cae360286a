package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.compile.Tunnel;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.FileAttributes;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.resource.Sensitive;
import dev.converge.testing.ScriptedTransport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Link interfaces converge builds as gre(4) or wg(4) tunnels on FreeBSD. The ifconfig text is the shape
 * sbin/ifconfig prints (the {@code tunnel inet L --> R} line of gre, point-to-point {@code inet A --> B}); the wg
 * lines are {@code wg show IF dump} (wg(8)) as the probe script tags them.
 */
class InterfaceTunnelTest {

  private static final String KEY = "YLUfVbjnkr33nZduJLJAoIWQPn/4TdrDYST9zqDteNI=";
  private static final String PEER = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

  private final InterfaceDriver driver = new InterfaceDriver();

  private final Resource gre = Resources.present("interface", "backbo-server3", Map.of("type", "link",
      "addresses", List.of("172.16.2.1/30"), "managed", List.of("172.16.2.0/24"), "peer", "server3",
      "tunnel", Map.of("kind", "gre", "local", "192.0.2.1", "remote", "192.0.2.3")));
  private final Resource wg = Resources.present("interface", "backbo-server2", Map.of("type", "link",
      "addresses", List.of("172.16.2.5/30"), "managed", List.of("172.16.2.0/24"), "peer", "server2",
      "tunnel", Map.of("kind", "wireguard", "local", "192.0.2.1", "remote", "192.0.2.2", "listen-port", 51001L,
          "peer-port", 51001L, "private-key", new Sensitive(KEY), "peer-public-key", PEER,
          "allowed-ips", List.of("0.0.0.0/0"))));

  private static final String GRE_RC = """
      rc cloned_interfaces: lo1 gre0
      rc ifconfig_gre0_name: backbo-server3
      rc create_args_gre0: tunnel 192.0.2.1 192.0.2.3
      rc ifconfig_backbo_server3_alias0: inet 172.16.2.1/30 172.16.2.2
      """;
  private static final String GRE_LIVE = """
      = backbo-server3
      l backbo-server3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> metric 0 mtu 1476
      l \toptions=80000<LINKSTATE>
      l \ttunnel inet 192.0.2.1 --> 192.0.2.3
      l \tinet 172.16.2.1 --> 172.16.2.2 netmask 0xfffffffc
      l \tgroups: gre
      l \tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
      """;
  private static final String MISSING = "= %s\nmissing ifconfig: interface %s does not exist\n";

  private static String wgConf() {
    return LinkTunnel.of(Map.of("kind", "wireguard", "local", "192.0.2.1", "remote", "192.0.2.2", "listen-port",
        51001L, "peer-port", 51001L, "private-key", new Sensitive(KEY), "peer-public-key", PEER, "allowed-ips",
        List.of("0.0.0.0/0")), "test").wgQuickConf("backbo-server2", List.of(InterfaceAddress.parse("172.16.2.5/30")));
  }

  private static String wgProbe(String keyHash, String confHash) {
    return "rc wireguard_enable: YES\nrc wireguard_interfaces: backbo-server2\n= backbo-server2\n"
        + "l backbo-server2: flags=8043<UP,BROADCAST,RUNNING,MULTICAST> metric 0 mtu 1420\n"
        + "l \tinet 172.16.2.5 netmask 0xfffffffc\nl \tgroups: wg\n"
        + "wgi " + keyHash + " 51001\n"
        + "wgp " + PEER + "\t(none)\t192.0.2.2:51001\t0.0.0.0/0\t1733250000\t1234\t5678\toff\n"
        + "wgconf " + confHash + "\n";
  }

  @Test
  void probe_ofAGreTunnelAsWanted_live_andAtBoot_showsNoDrift() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "backbo-server3"),
        GRE_RC + GRE_LIVE);

    Observation o = driver.probe(host.target("h1"), List.of(gre)).get(0);

    assertThat(Resources.diff(gre, o)).isEmpty();
  }

  @Test
  void aGreTunnelThatIsDown_showsAsDown_andApplyBringsItUp() throws Exception {
    String down = GRE_RC + GRE_LIVE.replace("flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST>",
        "flags=8010<POINTOPOINT,MULTICAST>");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), down)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), down)
        .expect(List.of("ifconfig", "backbo-server3", "up"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gre)).get(0);
    assertThat(seen.actual().orElseThrow().string("type")).contains("link (down)");

    driver.apply(host.target("h1"), Resources.change(gre, seen));

    host.assertAllAnswered();
  }

  @Test
  void probe_ofAGreTunnelBootWouldNotRebuild_saysSo() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "backbo-server3"),
        "rc ifconfig_backbo_server3_alias0: inet 172.16.2.1/30 172.16.2.2\n" + GRE_LIVE);

    Map<?, ?> t = (Map<?, ?>) driver.probe(host.target("h1"), List.of(gre)).get(0).actual().orElseThrow()
        .get("tunnel").orElseThrow();

    assertThat(t.get("kind")).isEqualTo("gre (not in rc.conf)");
    assertThat(t.get("remote")).isEqualTo("192.0.2.3");
  }

  @Test
  void apply_createsAGreTunnel_renamed_withTheDestinationOnItsAddress_andItsOwnClonedUnitAtBoot()
      throws Exception {
    String missing = "rc cloned_interfaces: lo1 gre0\nrc ifconfig_gre0_name: backbo-server9\n"
        + MISSING.formatted("backbo-server3", "backbo-server3");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), missing)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), missing)
        .expect(List.of("ifconfig", "gre", "create", "name", "backbo-server3"), "backbo-server3\n")
        .expect(List.of("ifconfig", "backbo-server3", "tunnel", "192.0.2.1", "192.0.2.3"), "")
        .expect(List.of("ifconfig", "backbo-server3", "up"), "")
        .expect(List.of("ifconfig", "backbo-server3", "inet", "172.16.2.1/30", "172.16.2.2", "alias"), "")
        .expect(List.of("sysrc", "ifconfig_backbo_server3_alias0=inet 172.16.2.1/30 172.16.2.2"), "")
        .expect(List.of("sysrc", "cloned_interfaces+=gre1"), "")
        .expect(List.of("sysrc", "ifconfig_gre1_name=backbo-server3", "create_args_gre1=tunnel 192.0.2.1 192.0.2.3"),
            "");
    Observation seen = driver.probe(host.target("h1"), List.of(gre)).get(0);

    driver.apply(host.target("h1"), Resources.change(gre, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_movesAGreTunnelsRemoteEnd_liveAndAtBoot() throws Exception {
    Resource moved = Resources.present("interface", "backbo-server3", Map.of("type", "link",
        "addresses", List.of("172.16.2.1/30"), "managed", List.of("172.16.2.0/24"), "peer", "server3",
        "tunnel", Map.of("kind", "gre", "local", "192.0.2.1", "remote", "192.0.2.33")));
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), GRE_RC + GRE_LIVE)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), GRE_RC + GRE_LIVE)
        .expect(List.of("ifconfig", "backbo-server3", "tunnel", "192.0.2.1", "192.0.2.33"), "")
        .expect(List.of("sysrc", "create_args_gre0=tunnel 192.0.2.1 192.0.2.33"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(moved)).get(0);

    driver.apply(host.target("h1"), Resources.change(moved, seen));

    host.assertAllAnswered();
  }

  @Test
  void probe_ofAWireguardTunnelAsWanted_withItsKeyHashedAndItsFileCurrent_showsNoDrift() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "backbo-server2"),
        wgProbe(Tunnel.sha256(KEY), Tunnel.sha256(wgConf())));

    assertThat(Resources.diff(wg, driver.probe(host.target("h1"), List.of(wg)).get(0))).isEmpty();
  }

  @Test
  void probe_ofAnotherKeyOrAStaleFile_showsDrift_withoutEverShowingAKey() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "backbo-server2"),
        wgProbe(Tunnel.sha256("other"), Tunnel.sha256("stale file")));

    Map<?, ?> t = (Map<?, ?>) driver.probe(host.target("h1"), List.of(wg)).get(0).actual().orElseThrow()
        .get("tunnel").orElseThrow();

    assertThat(t.get("private-key")).isEqualTo(new Sensitive("sha256:" + Tunnel.sha256("other")));
    assertThat(t.get("kind")).isEqualTo("wireguard (not in IF.conf)");
  }

  @Test
  void apply_createsAWireguardTunnel_keyOnStdin_andAWgQuickFileReadableByRootOnly() throws Exception {
    String missing = MISSING.formatted("backbo-server2", "backbo-server2");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), missing)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), missing)
        .expect(List.of("ifconfig", "wg", "create", "name", "backbo-server2"), "backbo-server2\n")
        .expect(List.of("wg", "set", "backbo-server2", "listen-port", "51001", "private-key", "/dev/stdin", "peer",
            PEER, "endpoint", "192.0.2.2:51001", "allowed-ips", "0.0.0.0/0"), "")
        .expect(List.of("ifconfig", "backbo-server2", "up"), "")
        .expect(List.of("ifconfig", "backbo-server2", "inet", "172.16.2.5/30", "alias"), "")
        .expect(List.of("mkdir", "-p", "-m", "0700", "/usr/local/etc/wireguard"), "")
        .expect(List.of("sysrc", "wireguard_interfaces+=backbo-server2"), "")
        .expect(List.of("sysrc", "wireguard_enable=YES"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(wg)).get(0);

    driver.apply(host.target("h1"), Resources.change(wg, seen));

    host.assertAllAnswered();
    List<Command> ran = host.executed();
    assertThat(ran).allSatisfy(c -> assertThat(String.join(" ", c.argv())).doesNotContain(KEY));
    assertThat(new String(ran.get(3).stdin(), StandardCharsets.UTF_8)).isEqualTo(KEY + "\n");
    assertThat(host.writes()).singleElement().satisfies(w -> {
      assertThat(w.path()).isEqualTo("/usr/local/etc/wireguard/backbo-server2.conf");
      assertThat(w.attributes()).isEqualTo(FileAttributes.mode(0600));
      assertThat(w.content()).isEqualTo("""
          # written by converge for link interface backbo-server2; converge rewrites it
          [Interface]
          PrivateKey = %s
          ListenPort = 51001
          Address = 172.16.2.5/30
          Table = off

          [Peer]
          PublicKey = %s
          Endpoint = 192.0.2.2:51001
          AllowedIPs = 0.0.0.0/0
          """.formatted(KEY, PEER));
    });
  }

  @Test
  void apply_toALinkOfAnotherKind_refusesToReplaceIt() throws Exception {
    String epair = "= backbo-server2\nl backbo-server2: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0"
        + " mtu 1500\nl \tgroups: epair\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), epair)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), epair);
    Observation seen = driver.probe(host.target("h1"), List.of(wg)).get(0);

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(wg, seen)))
        .isInstanceOf(ActionException.class).hasMessageContaining("interface `backbo-server2` on h1: it is not a"
            + " wireguard tunnel (groups: epair)");
  }

  @Test
  void delete_ofAGreTunnel_destroysIt_andRemovesItsClonedUnitAndVariables() throws Exception {
    Resource gone = Resources.absent("interface", "backbo-server3");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), GRE_RC + GRE_LIVE)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server3"), GRE_RC + GRE_LIVE)
        .expect(List.of("ifconfig", "backbo-server3", "destroy"), "")
        .expect(List.of("sysrc", "cloned_interfaces-=gre0"), "")
        .expect(List.of("sysrc", "-x", "ifconfig_backbo_server3_alias0", "ifconfig_gre0_name", "create_args_gre0"),
            "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);
    assertThat(seen.isPresent()).isTrue();

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }

  @Test
  void delete_ofAWireguardTunnel_destroysIt_andRemovesItsFileAndListing() throws Exception {
    Resource gone = Resources.absent("interface", "backbo-server2");
    String probe = wgProbe(Tunnel.sha256(KEY), Tunnel.sha256(wgConf()));
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), probe)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), probe)
        .expect(List.of("ifconfig", "backbo-server2", "destroy"), "")
        .expect(List.of("rm", "-f", "/usr/local/etc/wireguard/backbo-server2.conf"), "")
        .expect(List.of("sysrc", "wireguard_interfaces-=backbo-server2"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }
}

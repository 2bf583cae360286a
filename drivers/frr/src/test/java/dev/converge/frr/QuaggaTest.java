package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.FileAttributes;
import dev.converge.driver.Readiness;
import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import dev.converge.testing.ScriptedTransport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Quagga on the seed's server1: its files, its vtysh output, the commands that change it. */
class QuaggaTest {

  private static final String KEY = "CorrectHorseBat";

  /** server1 of the seed: links to server2 and server3, its /32s on lo2, MD5 on the links. */
  static Properties server1() {
    Map<String, Object> link = Map.of("area", "0.0.0.0", "network-type", "point-to-point", "md5-key",
        new Sensitive(KEY), "passive", false);
    Map<String, Object> passive = Map.of("area", "0.0.0.0", "passive", true);
    return Properties.of(Map.of(
        "daemon", "quagga",
        "router-id", "10.0.0.1",
        "interfaces", Map.of("tap2", link, "tap3", link, "lo1", passive, "lo2", passive),
        "networks", Map.of("10.0.0.1/32", "0.0.0.0", "172.16.2.0/30", "0.0.0.0", "172.16.2.4/30", "0.0.0.0",
            "172.16.3.1/32", "0.0.0.0"),
        "neighbors", Map.of("tap2", "10.0.0.2", "tap3", "10.0.0.3"),
        "routes", List.of("10.0.0.2/32", "10.0.0.3/32", "172.16.3.16/32"),
        "fast-convergence", false));
  }

  static final String OSPFD_CONF = """
      hostname server1
      !
      interface lo1
      !
      interface lo2
      !
      interface tap2
       ip ospf network point-to-point
       ip ospf authentication message-digest
       ip ospf message-digest-key 1 md5 CorrectHorseBat
      !
      interface tap3
       ip ospf network point-to-point
       ip ospf authentication message-digest
       ip ospf message-digest-key 1 md5 CorrectHorseBat
      !
      router ospf
       ospf router-id 10.0.0.1
       passive-interface default
       no passive-interface tap2
       no passive-interface tap3
       network 10.0.0.1/32 area 0.0.0.0
       network 172.16.2.0/30 area 0.0.0.0
       network 172.16.2.4/30 area 0.0.0.0
       network 172.16.3.1/32 area 0.0.0.0
       area 0.0.0.0 authentication
      !
      """;

  /** {@code vtysh -c 'show running-config'}: zebra's and ospfd's lines merged, a hand-made description kept. */
  static final String RUNNING = """
      Building configuration...

      Current configuration:
      !
      hostname server1
      password CorrectHorseBatteryStaple
      service advanced-vty
      !
      interface lo1
      !
      interface lo2
      !
      interface tap2
       description TAP to server 2
       ip ospf network point-to-point
       ip ospf authentication message-digest
       ip ospf message-digest-key 1 md5 CorrectHorseBat
      !
      interface tap3
       description TAP to server 3
       ip ospf network point-to-point
       ip ospf authentication message-digest
       ip ospf message-digest-key 1 md5 CorrectHorseBat
      !
      interface vtnet0
      !
      router ospf
       ospf router-id 10.0.0.1
       passive-interface default
       no passive-interface tap2
       no passive-interface tap3
       network 10.0.0.1/32 area 0.0.0.0
       network 172.16.2.0/30 area 0.0.0.0
       network 172.16.2.4/30 area 0.0.0.0
       network 172.16.3.1/32 area 0.0.0.0
       area 0.0.0.0 authentication
      !
      line vty
      !
      end
      """;

  /** {@code show ip ospf interface} (ospf_vty.c's show_ip_ospf_interface_sub). */
  static final String INTERFACES = """
      lo1 is up
        ifindex 3, MTU 16384 bytes, BW 0 Kbit <UP,LOOPBACK,RUNNING,MULTICAST>
        Internet Address 10.0.0.1/32, Area 0.0.0.0
        MTU mismatch detection:enabled
        Router ID 10.0.0.1, Network Type LOOPBACK, Cost: 10
      lo2 is up
        ifindex 4, MTU 16384 bytes, BW 0 Kbit <UP,LOOPBACK,RUNNING,MULTICAST>
        Internet Address 172.16.3.1/32, Area 0.0.0.0
        MTU mismatch detection:enabled
        Router ID 10.0.0.1, Network Type LOOPBACK, Cost: 10
      tap2 is up
        ifindex 6, MTU 1500 bytes, BW 0 Kbit <UP,BROADCAST,RUNNING,MULTICAST>
        Internet Address 172.16.2.1/30, Broadcast 172.16.2.3, Area 0.0.0.0
        MTU mismatch detection:enabled
        Router ID 10.0.0.1, Network Type POINTOPOINT, Cost: 10
      tap3 is up
        ifindex 7, MTU 1500 bytes, BW 0 Kbit <UP,BROADCAST,RUNNING,MULTICAST>
        Internet Address 172.16.2.6/30, Broadcast 172.16.2.7, Area 0.0.0.0
        MTU mismatch detection:enabled
        Router ID 10.0.0.1, Network Type POINTOPOINT, Cost: 10
      vtnet0 is up
        ifindex 1, MTU 1500 bytes, BW 0 Kbit <UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>
        OSPF not enabled on this interface
      """;

  /** The seed's {@code show ip ospf neighbor} on server1. */
  static final String NEIGHBORS = """

      Neighbor ID     Pri State           Dead Time Address         Interface            RXmtL RqstL DBsmL
      10.0.0.2        1 Full/DR           35.051s 10.8.0.150      tap2:172.16.2.2         0     0     0
      10.0.0.3        1 Full/Backup       36.209s 10.8.0.154      tap3:172.16.2.6         0     0     0
      """;

  private static OspfRouter router() {
    return OspfRouter.of(server1(), "ospf-router ospf on server1");
  }

  private static String probeOutput() {
    return OspfState.RUNNING + "\n" + RUNNING + OspfState.INTERFACES + "\n" + INTERFACES;
  }

  @Test
  void rendersOspfdConf_inTheSeedsForm() {
    assertThat(QuaggaConfig.parse("").with(Optional.of(router()), List.of(), true).withHostname("server1").render())
        .isEqualTo(OSPFD_CONF);
  }

  @Test
  void rendersZebraConf_withHostnameAndInterfaces_andKeepsItsPassword() {
    assertThat(QuaggaConfig.parse("hostname server1\npassword CorrectHorseBatteryStaple\n")
        .with(Optional.of(router()), List.of(), false).withHostname("server1").render()).isEqualTo("""
        hostname server1
        password CorrectHorseBatteryStaple
        !
        interface lo1
        !
        interface lo2
        !
        interface tap2
        !
        interface tap3
        !
        """);
  }

  @Test
  void probe_readsTheSeedsRunningConfig_asTheDesiredRouter() {
    Optional<OspfRouter> seen = Quagga.State.parse(probeOutput()).observed(router());

    assertThat(seen).contains(router());
  }

  @Test
  void probe_reportsDrift_whenAKeyOrAPassiveLineChangedByHand() {
    String drifted = probeOutput().replace(" no passive-interface tap3\n", "")
        .replaceFirst("md5 CorrectHorseBat", "md5 other");

    OspfRouter seen = Quagga.State.parse(drifted).observed(router()).orElseThrow();

    assertThat(seen.interfaces().get("tap3").passive()).isTrue();
    assertThat(seen.interfaces().get("tap2").md5Key()).contains(new Sensitive("other"));
    assertThat(seen.toProperties().toString()).doesNotContain("other", KEY);
  }

  @Test
  void aStoppedOspfd_isAbsent() {
    assertThat(Quagga.State.parse(OspfState.STOPPED + "\n").observed(router())).isEmpty();
  }

  @Test
  void noChange_noVtyshCommands() {
    assertThat(QuaggaConfig.commands(QuaggaConfig.parse(RUNNING), router(), List.of())).isEmpty();
  }

  @Test
  void aNewKeyAndTimers_reachTheRunningOspfd_asTheChangedLinesOnly() {
    QuaggaConfig running = QuaggaConfig.parse(RUNNING.replace(
        " ip ospf message-digest-key 1 md5 CorrectHorseBat\n!\ninterface tap3",
        " ip ospf message-digest-key 1 md5 old\n ip ospf hello-interval 5\n!\ninterface tap3")
        .replace(" network 172.16.3.1/32 area 0.0.0.0\n", " network 172.16.3.9/32 area 0.0.0.0\n"));

    assertThat(QuaggaConfig.commands(running, router(), List.of())).containsExactly(
        "configure terminal",
        "interface tap2", "no ip ospf message-digest-key 1", "no ip ospf hello-interval",
        "ip ospf message-digest-key 1 md5 " + KEY, "exit",
        "router ospf", "no network 172.16.3.9/32 area 0.0.0.0", "network 172.16.3.1/32 area 0.0.0.0", "exit");
  }

  @Test
  void neighbours_areReadFromTheSeedsText() {
    assertThat(Quagga.neighbors(NEIGHBORS)).containsExactly(
        new RoutingState.Neighbor("10.0.0.2", "tap2", "Full/DR", "DR"),
        new RoutingState.Neighbor("10.0.0.3", "tap3", "Full/Backup", "Backup"));
  }

  @Test
  void apply_onAHostWithoutOspfd_writesBothFilesSecret_enablesTheServiceAndRestartsQuagga() throws Exception {
    ScriptedTransport t = new ScriptedTransport()
        .file(Quagga.ZEBRA_CONF, "hostname server1\npassword CorrectHorseBatteryStaple\n")
        .expect(Quagga.PROBE_COMMAND.argv(), OspfState.STOPPED + "\n")
        .expect(List.of("sysrc", "quagga_enable=YES", "quagga_daemons=zebra ospfd"), "")
        .expect(List.of("service", "quagga", "restart"), "");

    Quagga.apply(t.target("server1"), Optional.of(router()), List.of(), "ospf-router ospf on server1");

    t.assertAllAnswered();
    FileAttributes secret = new FileAttributes(0600, Optional.of("quagga"), Optional.of("quagga"));
    assertThat(t.writes()).extracting(ScriptedTransport.Write::path, ScriptedTransport.Write::attributes)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Quagga.ZEBRA_CONF, secret),
            org.assertj.core.groups.Tuple.tuple(Quagga.OSPFD_CONF, secret));
    assertThat(t.fileContent(Quagga.OSPFD_CONF)).contains(OSPFD_CONF);
  }

  @Test
  void apply_onARunningOspfd_feedsTheChangedLinesToVtysh_withoutARestart() throws Exception {
    ScriptedTransport t = new ScriptedTransport()
        .file(Quagga.OSPFD_CONF, OSPFD_CONF)
        .expect(Quagga.PROBE_COMMAND.argv(), probeOutput().replace(" no passive-interface tap3\n", ""))
        .expect(List.of("sysrc", "quagga_enable=YES", "quagga_daemons=zebra ospfd"), "")
        .expect(List.of("vtysh", "-c", "configure terminal", "-c", "router ospf", "-c", "no passive-interface tap3",
            "-c", "exit"), "");

    Quagga.apply(t.target("server1"), Optional.of(router()), List.of(), "ospf-router ospf on server1");

    t.assertAllAnswered();
  }

  @Test
  void aNewKey_onARunningOspfd_comesFromTheFilesThroughARestart_neverOnVtyshsCommandLine() throws Exception {
    ScriptedTransport t = new ScriptedTransport()
        .file(Quagga.OSPFD_CONF, OSPFD_CONF)
        .expect(Quagga.PROBE_COMMAND.argv(), probeOutput().replaceFirst("md5 CorrectHorseBat", "md5 old"))
        .expect(List.of("sysrc", "quagga_enable=YES", "quagga_daemons=zebra ospfd"), "")
        .expect(List.of("service", "quagga", "restart"), "");

    Quagga.apply(t.target("server1"), Optional.of(router()), List.of(), "ospf-router ospf on server1");

    t.assertAllAnswered();
    assertThat(t.fileContent(Quagga.OSPFD_CONF)).get().asString()
        .contains("ip ospf message-digest-key 1 md5 " + KEY);
  }

  @Test
  void aFailingVtysh_isReported() {
    ScriptedTransport t = new ScriptedTransport()
        .file(Quagga.OSPFD_CONF, OSPFD_CONF)
        .expect(Quagga.PROBE_COMMAND.argv(), probeOutput().replace(" no passive-interface tap3\n", ""))
        .expect(List.of("sysrc", "quagga_enable=YES", "quagga_daemons=zebra ospfd"), "")
        .expect(List.of("vtysh", "-c", "configure terminal", "-c", "router ospf", "-c", "no passive-interface tap3",
            "-c", "exit"), 1, "", "% Unknown command: no passive-interface tap3");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Quagga.apply(t.target("server1"),
        Optional.of(router()), List.of(), "ospf-router ospf on server1"))
        .hasMessageContaining("ospf-router ospf on server1").hasMessageContaining("Unknown command");
  }

  @Test
  void probe_reportsNothingRedistributed() {
    OspfRouter seen = Quagga.State.parse(probeOutput()).observed(router()).orElseThrow();

    assertThat(seen.toProperties().asMap()).containsEntry("redistribute", List.of());
  }

  @Test
  void aRouterThatMustRedistribute_isRefused_beforeAnythingChanges() {
    ScriptedTransport t = new ScriptedTransport();
    OspfRouter jails = OspfRouter.of(server1().with("redistribute", List.of("10.0.1.5/32")), "server1");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Quagga.apply(t.target("server1"), Optional.of(jails),
        List.of(), "ospf-router ospf on server1"))
        .isInstanceOf(dev.converge.driver.ActionException.class)
        .hasMessageContaining("ospf-router ospf on server1").hasMessageContaining("10.0.1.5/32")
        .hasMessageContaining("jails on Linux hosts need FRR");
    assertThat(t.writes()).isEmpty();
  }

  @Test
  void readiness_waitsForTheSeedsNeighbours_andEveryRoute() throws Exception {
    String netstat = Captured.read("netstat-rn4-freebsd.json");
    ScriptedTransport t = new ScriptedTransport().expect(Quagga.READINESS.argv(),
        NEIGHBORS + RoutingState.ROUTES_MARKER + "\n" + netstat);

    Readiness r = Quagga.readiness(t.target("server1"), router());

    assertThat(r.ready()).isFalse();
    assertThat(r.toString()).doesNotContain("neighbour").contains("route");
  }
}

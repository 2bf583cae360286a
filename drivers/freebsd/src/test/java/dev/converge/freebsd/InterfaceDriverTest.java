package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ActionException;
import dev.converge.driver.ProbeException;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterfaceDriverTest {

  private final InterfaceDriver driver = new InterfaceDriver();

  private final Resource lo1 = Resources.present("interface", "lo1", Map.of("type", "loopback",
      "addresses", List.of("10.0.0.1/32"), "managed", List.of("10.0.0.1/32")));
  private final Resource lo2 = Resources.present("interface", "lo2", Map.of("type", "loopback",
      "addresses", List.of("172.16.3.1/32", "172.16.3.2/32"), "managed", List.of("172.16.3.0/24")));
  private final Resource link = Resources.present("interface", "backbo-server2", Map.of("type", "link",
      "addresses", List.of("172.16.2.1/30"), "managed", List.of("172.16.2.0/24"), "peer", "server2"));

  /** lo1 as the seed's rc.conf makes it; lo2 with one address live and one only at boot. */
  private static final String SEED = """
      rc cloned_interfaces: lo1 lo2
      rc ifconfig_lo1: inet 10.0.0.1/32
      rc ifconfig_lo2: up
      rc ifconfig_lo2_alias0: inet 172.16.3.2/32
      rc ifconfig_lo2_alias1: inet 172.16.3.9/32
      = lo1
      l lo1: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384
      l \tinet 10.0.0.1 netmask 0xffffffff
      l \tgroups: lo
      = lo2
      l lo2: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384
      l \tinet 172.16.3.1 netmask 0xffffffff
      l \tinet 192.0.2.1 netmask 0xffffffff
      l \tgroups: lo
      """;

  @Test
  void probe_readsEveryInterfaceAndRcConfInOneExec_reportingOnlyManagedAddresses() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "lo1", "lo2"), SEED);

    List<Observation> o = driver.probe(host.target("h1"), List.of(lo1, lo2));

    assertThat(Resources.diff(lo1, o.get(0))).isEmpty();
    assertThat(o.get(1).actual().orElseThrow().get("addresses").orElseThrow()).isEqualTo(List.of(
        "172.16.3.1/32 (not in rc.conf)", "172.16.3.2/32 (only in rc.conf)", "172.16.3.9/32 (only in rc.conf)"));
    host.assertAllAnswered();
  }

  @Test
  void probe_ofAMissingInterface_isAbsent() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "lo2"),
        "= lo2\nmissing ifconfig: interface lo2 does not exist\n");

    assertThat(driver.probe(host.target("h1"), List.of(lo2)).get(0).isPresent()).isFalse();
  }

  @Test
  void probe_ofACloneMissingFromClonedInterfaces_saysBootWouldLoseIt() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "lo1"),
        "rc ifconfig_lo1: inet 10.0.0.1/32\n= lo1\nl lo1: flags=8049<UP> metric 0 mtu 16384\n"
            + "l \tinet 10.0.0.1 netmask 0xffffffff\nl \tgroups: lo\n");

    Observation o = driver.probe(host.target("h1"), List.of(lo1)).get(0);

    assertThat(o.actual().orElseThrow().string("type")).contains("loopback (not in cloned_interfaces)");
  }

  @Test
  void apply_createsAMissingLoopback_addsItsAddressesLiveWithAlias_andPersistsThem() throws Exception {
    String missing = "rc cloned_interfaces: lo1\n= lo2\nmissing ifconfig: interface lo2 does not exist\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "lo2"), missing)
        .expect(script(InterfaceDriver.SCRIPT, "lo2"), missing)
        .expect(List.of("ifconfig", "lo2", "create"), "")
        .expect(List.of("ifconfig", "lo2", "up"), "")
        .expect(List.of("ifconfig", "lo2", "inet", "172.16.3.1/32", "alias"), "")
        .expect(List.of("ifconfig", "lo2", "inet", "172.16.3.2/32", "alias"), "")
        .expect(List.of("sysrc", "cloned_interfaces+=lo2"), "cloned_interfaces: lo1 -> lo1 lo2\n")
        .expect(List.of("sysrc", "ifconfig_lo2=up", "ifconfig_lo2_alias0=inet 172.16.3.1/32",
            "ifconfig_lo2_alias1=inet 172.16.3.2/32"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(lo2)).get(0);

    driver.apply(host.target("h1"), Resources.change(lo2, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_removesOnlyManagedAddressesTheSpecDropped_andRenumbersRcConf() throws Exception {
    Resource one = Resources.present("interface", "lo2", Map.of("type", "loopback",
        "addresses", List.of("172.16.3.2/32"), "managed", List.of("172.16.3.0/24")));
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "lo2"), SEED)
        .expect(script(InterfaceDriver.SCRIPT, "lo2"), SEED)
        .expect(List.of("ifconfig", "lo2", "inet", "172.16.3.1", "-alias"), "")
        .expect(List.of("ifconfig", "lo2", "inet", "172.16.3.2/32", "alias"), "")
        .expect(List.of("sysrc", "-x", "ifconfig_lo2_alias1"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(one)).get(0);

    driver.apply(host.target("h1"), Resources.change(one, seen));

    assertThat(host.executed()).noneMatch(c -> c.argv().contains("192.0.2.1"));
    host.assertAllAnswered();
  }

  @Test
  void apply_toALink_addsTheAddressAndNeverCreatesIt() throws Exception {
    String up = "rc ifconfig_backbo_server2: up\n= backbo-server2\n"
        + "l backbo-server2: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        + "l \tinet 198.51.100.1 netmask 0xffffff00 broadcast 198.51.100.255\nl \tgroups: epair\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), up)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), up)
        .expect(List.of("ifconfig", "backbo-server2", "inet", "172.16.2.1/30", "alias"), "")
        .expect(List.of("sysrc", "ifconfig_backbo_server2_alias0=inet 172.16.2.1/30"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(link)).get(0);
    assertThat(seen.actual().orElseThrow().string("peer")).contains("server2");

    driver.apply(host.target("h1"), Resources.change(link, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_toAMissingLink_failsNamingHostAndInterface_andChangesNothing() {
    String missing = "= backbo-server2\nmissing ifconfig: interface backbo-server2 does not exist\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), missing);

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(link,
        Observation.absent(link.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessage("interface `backbo-server2` on h1: the link interface does not exist, and converge does not "
            + "create links yet (expected the point-to-point interface to the peer to exist; ifconfig: ifconfig: "
            + "interface backbo-server2 does not exist)");
    host.assertAllAnswered();
  }

  @Test
  void apply_whenTheNameIsTakenByAnotherKind_failsWithoutTouchingIt() {
    Resource bridge = Resources.present("interface", "bridge1", Map.of("type", "bridge",
        "addresses", List.of("10.1.0.1/24"), "managed", List.of("10.1.0.0/24")));
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "bridge1"),
        "= bridge1\nl bridge1: flags=8051<UP> metric 0 mtu 1500\nl \tgroups: tap\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(bridge,
        Observation.absent(bridge.id()))))
        .hasMessage("interface `bridge1` on h1: it is a link (groups: tap), expected a bridge; converge leaves it"
            + " as it is");
    host.assertAllAnswered();
  }

  @Test
  void aCloneThatIsDown_isAChange_andApplyBringsItUp() throws Exception {
    String down = "rc cloned_interfaces: lo1\nrc ifconfig_lo1: inet 10.0.0.1/32\n= lo1\n"
        + "l lo1: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384\n"
        + "l \tinet 10.0.0.1 netmask 0xffffffff\nl \tgroups: lo\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "lo1"), down)
        .expect(script(InterfaceDriver.SCRIPT, "lo1"), down)
        .expect(List.of("ifconfig", "lo1", "up"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(lo1)).get(0);
    assertThat(seen.actual().orElseThrow().string("type")).contains("loopback (down)");

    driver.apply(host.target("h1"), Resources.change(lo1, seen));

    host.assertAllAnswered();
  }

  @Test
  void delete_destroysTheCloneAndRemovesItAndItsVariablesFromRcConf() throws Exception {
    Resource gone = Resources.absent("interface", "lo2");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "lo2"), SEED)
        .expect(script(InterfaceDriver.SCRIPT, "lo2"), SEED)
        .expect(List.of("ifconfig", "lo2", "destroy"), "")
        .expect(List.of("sysrc", "cloned_interfaces-=lo2"), "")
        .expect(List.of("sysrc", "-x", "ifconfig_lo2", "ifconfig_lo2_alias0", "ifconfig_lo2_alias1"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);
    assertThat(seen.isPresent()).isTrue();

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }

  /** A link the spec dropped compiles to its interface holding none of converge's addresses in its former /30. */
  private final Resource released = Resources.present("interface", "backbo-server2", Map.of("type", "link",
      "addresses", List.of(), "managed", List.of("172.16.2.0/30"), "peer", "server2"));

  @Test
  void aDroppedLinksInterface_losesConvergesAddressInItsFormerSubnet_liveAndInRcConf_andKeepsTheRest()
      throws Exception {
    String linked = "rc ifconfig_backbo_server2: up\nrc ifconfig_backbo_server2_alias0: inet 172.16.2.1/30\n"
        + "= backbo-server2\nl backbo-server2: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        + "l \tinet 198.51.100.1 netmask 0xffffff00 broadcast 198.51.100.255\n"
        + "l \tinet 172.16.2.1 netmask 0xfffffffc broadcast 172.16.2.3\nl \tgroups: epair\n";
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), linked)
        .expect(script(InterfaceDriver.SCRIPT, "backbo-server2"), linked)
        .expect(List.of("ifconfig", "backbo-server2", "inet", "172.16.2.1", "-alias"), "")
        .expect(List.of("sysrc", "-x", "ifconfig_backbo_server2_alias0"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(released)).get(0);
    assertThat(seen.actual().orElseThrow().get("addresses")).contains(List.of("172.16.2.1/30"));

    driver.apply(host.target("h1"), Resources.change(released, seen));

    assertThat(host.executed()).noneMatch(c -> c.argv().contains("198.51.100.1") || c.argv().contains("destroy"));
    host.assertAllAnswered();
  }

  @Test
  void aDroppedLinksInterfaceThatIsGoneToo_isAsWanted() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "backbo-server2"),
        "= backbo-server2\nmissing ifconfig: interface backbo-server2 does not exist\n");

    Observation seen = driver.probe(host.target("h1"), List.of(released)).get(0);

    assertThat(Resources.diff(released, seen)).isEmpty();
  }

  @Test
  void aDroppedLink_isNotSeen_soNothingOfItIsRemoved() throws Exception {
    Resource gone = Resources.absent("interface", "backbo-server2");
    ScriptedTransport host = new ScriptedTransport().expect(script(InterfaceDriver.SCRIPT, "backbo-server2"),
        "= backbo-server2\nl backbo-server2: flags=8863<UP> metric 0 mtu 1500\n"
            + "l \tinet 172.16.2.1 netmask 0xfffffffc broadcast 172.16.2.3\n");

    assertThat(driver.probe(host.target("h1"), List.of(gone)).get(0).isPresent()).isFalse();
  }

  @Test
  void probe_refusesLo0_andAddressesOutsideManaged_beforeRunningAnything() {
    Resource lo0 = Resources.present("interface", "lo0", Map.of("type", "loopback",
        "addresses", List.of("127.0.0.2/32"), "managed", List.of("127.0.0.0/8")));
    Resource outside = Resources.present("interface", "lo2", Map.of("type", "loopback",
        "addresses", List.of("10.9.9.9/32"), "managed", List.of("172.16.3.0/24")));
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(lo0)))
        .isInstanceOf(ProbeException.class)
        .hasMessage("interface `lo0` on h1: a loopback converge creates must be named loN with N ≥ 1 (lo0 is the"
            + " system's) on FreeBSD");
    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(outside)))
        .hasMessage("interface `lo2` on h1: address 10.9.9.9/32 is outside the managed prefixes [172.16.3.0/24]"
            + " (expected every address inside one of them)");
    assertThat(host.executed()).isEmpty();
  }

  @Test
  void aNameThatCouldBeAnOption_isRefused() {
    Resource bad = Resources.present("interface", "-a", Map.of("type", "link", "addresses", List.of(),
        "managed", List.of()));

    assertThatThrownBy(() -> driver.probe(new ScriptedTransport().target("h1"), List.of(bad)))
        .hasMessageStartingWith("interface `-a` on h1: not an interface name");
  }
}

package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ospf.areas}: area ids, authentication, networks, hosts and timers. */
class OspfBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String areas) {
    return new SpecFixture(dir).file("site.yaml", """
        site: test
        hosts:
          mgmt: { transport: local, loopback: 10.0.0.9/32 }
          server1: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
        secrets: { ospf-key: { file: ospf.key } }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[mgmt, server1]] }
        ospf:
          areas:
        """ + areas.indent(4));
  }

  @Test
  void anArea_withEveryKey() {
    Ospf.Area area = spec("""
        0.0.0.0:
          authentication: { md5: ospf-key }
          networks: [backbone]
          hosts: [server1]
          hello: 5
          dead: 20
          link-type: point-to-point
          fast-convergence: true
        """).spec().ospf().areas().get("0.0.0.0");
    assertThat(area.md5Key()).contains("ospf-key");
    assertThat(area.networks()).containsExactly("backbone");
    assertThat(area.hosts()).containsExactly("server1");
    assertThat(area.allHosts()).isFalse();
    assertThat(area.helloInterval()).contains(5);
    assertThat(area.deadInterval()).contains(20);
    assertThat(area.linkType()).contains("point-to-point");
    assertThat(area.fastConvergence()).isTrue();
  }

  @Test
  void fastConvergence_isOffUnlessTheAreaAsksForIt() {
    assertThat(spec("0.0.0.0: { networks: [backbone] }").spec().ospf().areas().get("0.0.0.0").fastConvergence())
        .isFalse();
  }

  @Test
  void fastConvergence_thatIsNotABoolean_isAnErrorAtTheKey() {
    assertThat(spec("0.0.0.0: { networks: [backbone], fast-convergence: quick }").problems()).containsExactly(
        "site.yaml:10:56: `fast-convergence` in OSPF area `0.0.0.0`: found `quick`, expected true or false");
  }

  @Test
  void hosts_defaultToAll() {
    Spec spec = spec("""
        1: { networks: [backbone] }
        2: { networks: [backbone], hosts: all }
        """).spec();
    assertThat(spec.ospf().areas().get("0.0.0.1").allHosts()).isTrue();
    assertThat(spec.ospf().areas().get("0.0.0.2").allHosts()).isTrue();
    assertThat(spec.ospf().areas().get("0.0.0.1").md5Key()).isEmpty();
  }

  @Test
  void aHostTakingPart_withoutAnIpv4Loopback_isAnErrorAtTheArea() {
    SpecFixture fixture = new SpecFixture(dir).file("site.yaml", """
        site: test
        hosts:
          server1: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
          server2: { address: 192.0.2.2 }
          server3: { address: 192.0.2.3, loopback: "fd00::3/128" }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[server1, server2], [server1, server3]] }
        ospf:
          areas:
            0.0.0.0: { networks: [backbone] }
        """);
    assertThat(fixture.problems()).containsExactly(
        "site.yaml:10:5: OSPF area `0.0.0.0` takes in host `server2`, which has no `loopback`: expected an IPv4 /32"
            + " such as loopback: 10.0.0.1/32, the host's router id",
        "site.yaml:10:5: OSPF area `0.0.0.0` takes in host `server3`, which has an IPv6 `loopback` (fd00::3/128):"
            + " expected an IPv4 /32 such as loopback: 10.0.0.1/32, the host's router id");
  }

  @ParameterizedTest
  @CsvSource({"0, 0.0.0.0", "4294967295, 255.255.255.255", "256, 0.0.1.0", "10.1.2.3, 10.1.2.3"})
  void areaIds_areNormalisedToDottedQuads(String written, String normalised) {
    assertThat(OspfBinder.areaId(written)).contains(normalised);
  }

  @ParameterizedTest
  @ValueSource(strings = {"4294967296", "-1", "1.2.3", "256.0.0.0", "backbone", "1.2.3.4.5", "99999999999"})
  void invalidAreaIds_areRejected(String written) {
    assertThat(OspfBinder.areaId(written)).isEmpty();
  }

  @Test
  void anInvalidAreaId_isAnErrorAtTheKey() {
    assertThat(spec("1.2.3: { networks: [backbone] }").problems()).containsExactly("site.yaml:10:5: OSPF area id:"
        + " found `1.2.3`, expected a dotted quad such as 0.0.0.0 or an integer 0-4294967295");
  }

  @Test
  void theSameAreaWrittenTwoWays_isADuplicate() {
    assertThat(spec("""
        0: { networks: [backbone] }
        0.0.0.0: { networks: [backbone] }
        """).problems()).containsExactly("site.yaml:11:5: duplicate OSPF area `0.0.0.0`: already defined at"
        + " site.yaml:10:5");
  }

  @Test
  void referencesAndTimers_areChecked() {
    assertThat(spec("""
        0.0.0.0:
          authentication: { md5: ospf }
          networks: [backbone, jails]
          hosts: [server2]
          hello: 10
          dead: 10
          link-type: nbma
        0.0.0.1: { hosts: some, dead: 5 }
        0.0.0.2: { hosts: [] }
        """).problems()).containsExactly(
        "site.yaml:11:30: `authentication.md5` in OSPF area `0.0.0.0`: found `ospf`, expected a secret defined in"
            + " the spec — did you mean `ospf-key`?",
        "site.yaml:12:28: `networks[1]` in OSPF area `0.0.0.0`: found `jails`, expected a network defined in the"
            + " spec",
        "site.yaml:13:15: `hosts[0]` in OSPF area `0.0.0.0`: found `server2`, expected a host defined in the spec"
            + " — did you mean `server1`?",
        "site.yaml:15:13: `dead` in OSPF area `0.0.0.0`: found 10, expected more than the hello interval (10)",
        "site.yaml:16:18: `link-type` in OSPF area `0.0.0.0`: found `nbma`, expected one of point-to-point,"
            + " broadcast",
        "site.yaml:17:23: `hosts` in OSPF area `0.0.0.1`: found `some`, expected `all` or a list of hosts",
        "site.yaml:17:35: `dead` in OSPF area `0.0.0.1`: found 5, expected more than the hello interval (10 by"
            + " default)",
        "site.yaml:18:23: `hosts` in OSPF area `0.0.0.2`: found an empty list, expected `all` or at least one"
            + " host");
  }

  @Test
  void theOspfSection_hasOnlyAreas() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "ospf: { area: {} }\n").problems())
        .containsExactly("site.yaml:5:9: unknown key `ospf.area` in the top-level map: expected one of areas — did"
            + " you mean `areas`?");
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE).spec().ospf()).isEqualTo(Ospf.NONE);
  }
}

package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.spec.Zone.DnsRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code zones:}: servers, keys, records and registration. */
class ZoneBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String zones) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + """
        secrets: { rndc-key: { env: RNDC_KEY } }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks:
          jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24 }
        jails:
          resolver: { host: server1, image: base, network: jails, address: 172.16.3.2 }
        zones:
        """ + zones.indent(2));
  }

  @Test
  void aZoneServedByAJail_withRecordsAndRegistration() {
    Zone zone = spec("""
        my.domain:
          server: resolver
          key: rndc-key
          ttl: 600
          register: [jails]
          reverse: true
          records:
            - { name: www, type: A, values: [192.0.2.80, 192.0.2.81], ttl: 60 }
            - { name: "@", type: MX, value: "10   mail" }
            - { name: _sip._tcp, type: SRV, value: 10 5 5060 sip.example.org. }
            - { name: v6, type: AAAA, value: "2001:DB8::1" }
            - { name: "*.dev", type: CNAME, value: www }
            - { name: "@", type: TXT, value: "v=spf1 -all" }
        """).spec().zones().get("my.domain");
    assertThat(zone.serverName()).contains("resolver");
    assertThat(zone.serverAddress()).isEmpty();
    assertThat(zone.serverPort()).isEqualTo(53);
    assertThat(zone.key()).isEqualTo("rndc-key");
    assertThat(zone.ttl()).isEqualTo(600);
    assertThat(zone.register()).containsExactly("jails");
    assertThat(zone.reverse()).isTrue();
    assertThat(zone.records()).extracting(DnsRecord::name, DnsRecord::type, DnsRecord::values, DnsRecord::ttl)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("www", "A", List.of("192.0.2.80", "192.0.2.81"), Optional.of(60L)),
            org.assertj.core.groups.Tuple.tuple("@", "MX", List.of("10 mail"), Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("_sip._tcp", "SRV", List.of("10 5 5060 sip.example.org."),
                Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("v6", "AAAA", List.of("2001:db8::1"), Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("*.dev", "CNAME", List.of("www"), Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("@", "TXT", List.of("v=spf1 -all"), Optional.empty()));
  }

  @Test
  void servers_byAddress_withOrWithoutPort() {
    Spec spec = spec("""
        a.example: { server: 192.0.2.53, key: rndc-key }
        b.example: { server: "192.0.2.53:5353", key: rndc-key }
        c.example: { server: "[2001:db8::53]:5300", key: rndc-key }
        d.example: { server: "2001:db8::53", key: rndc-key }
        """).spec();
    assertThat(spec.zones().get("a.example")).extracting(Zone::serverAddress, Zone::serverPort)
        .containsExactly(Optional.of("192.0.2.53"), 53);
    assertThat(spec.zones().get("b.example")).extracting(Zone::serverAddress, Zone::serverPort)
        .containsExactly(Optional.of("192.0.2.53"), 5353);
    assertThat(spec.zones().get("c.example")).extracting(Zone::serverAddress, Zone::serverPort)
        .containsExactly(Optional.of("2001:db8::53"), 5300);
    assertThat(spec.zones().get("d.example")).extracting(Zone::serverAddress, Zone::serverPort)
        .containsExactly(Optional.of("2001:db8::53"), 53);
    assertThat(spec.zones().get("a.example").ttl()).isEqualTo(300);
  }

  @Test
  void serverAndKey_areRequired_andMustExist() {
    assertThat(spec("""
        a.example: { ttl: 60 }
        b.example: { server: resolvr, key: rndc }
        c.example: { server: "192.0.2.53:0", key: rndc-key }
        d.example: { server: "2001:db8::53:53", key: rndc-key }
        """).problems()).containsExactly(
        "site.yaml:12:3: missing key `key` in zone `a.example`: expected a secret defined in the spec",
        "site.yaml:12:3: missing key `server` in zone `a.example`: expected a host or jail defined in the spec, or"
            + " an address: IP, IP:port or [IPv6]:port",
        "site.yaml:13:24: `server` in zone `b.example`: found `resolvr`, expected a host or jail defined in the"
            + " spec, or an address: IP, IP:port or [IPv6]:port — did you mean `resolver`?",
        "site.yaml:13:38: `key` in zone `b.example`: found `rndc`, expected a secret defined in the spec — did you"
            + " mean `rndc-key`?",
        "site.yaml:14:24: `server` in zone `c.example`: found `192.0.2.53:0`, expected a port 1-65535");
  }

  @Test
  void records_areCheckedByType() {
    assertThat(spec("""
        my.domain:
          server: resolver
          key: rndc-key
          records:
            - { name: www, type: A, value: "2001:db8::1" }
            - { name: www, type: AAAA, values: [192.0.2.1] }
            - { name: mx, type: MX, value: mail }
            - { name: srv, type: SRV, value: 10 5 99999 sip }
            - { name: c, type: CNAME, values: [a, b] }
            - { name: www.example.org., type: TXT, value: x }
            - { name: t, type: a, value: 192.0.2.1 }
            - { name: e, type: PTR, values: [] }
            - { name: f, type: PTR }
            - { name: g, type: PTR, value: a, values: [b] }
        """).problems()).containsExactly(
        "site.yaml:16:38: `records[0].value` in zone `my.domain`: found `2001:db8::1`, expected an IPv4 address"
            + " such as 192.0.2.1",
        "site.yaml:17:43: `records[1].values[0]` in zone `my.domain`: found `192.0.2.1`, expected an IPv6 address"
            + " such as 2001:db8::1",
        "site.yaml:18:38: `records[2].value` in zone `my.domain`: found `mail`, expected PREF HOST such as `10"
            + " mail`",
        "site.yaml:19:40: `records[3].value` in zone `my.domain`: found `10 5 99999 sip`, expected PRIO WEIGHT"
            + " PORT TARGET such as `10 5 5060 sip`",
        "site.yaml:20:41: `records[4].values` in zone `my.domain`: found 2 values, expected one target for a"
            + " CNAME record",
        "site.yaml:21:17: `records[5].name` in zone `my.domain`: found `www.example.org.`, expected a name relative"
            + " to the zone such as `www`, or `@` for the zone itself",
        "site.yaml:22:26: `records[6].type` in zone `my.domain`: found `a`, expected one of A, AAAA, CNAME, TXT,"
            + " MX, SRV, PTR — did you mean `A`?",
        "site.yaml:23:39: `records[7].values` in zone `my.domain`: found an empty list, expected at least one"
            + " value",
        "site.yaml:24:9: `records[8].value` in zone `my.domain`: found neither `value` nor `values`: expected"
            + " exactly one of them",
        "site.yaml:25:49: `records[9].values` in zone `my.domain`: found both `value` and `values`: expected"
            + " exactly one of them");
  }

  @Test
  void aRecordGivenTwice_isAnError() {
    assertThat(spec("""
        my.domain:
          server: resolver
          key: rndc-key
          records:
            - { name: www, type: A, value: 192.0.2.1 }
            - { name: www, type: A, value: 192.0.2.2 }
        """).problems()).containsExactly("site.yaml:17:9: `records` in zone `my.domain`: found the A record `www` a"
        + " second time: expected one entry per name and type, with several `values` (first at line 16)");
  }

  @Test
  void register_namesNetworks() {
    assertThat(spec("my.domain: { server: resolver, key: rndc-key, register: [jails, vms] }").problems())
        .containsExactly("site.yaml:12:67: `register[1]` in zone `my.domain`: found `vms`, expected a network"
            + " defined in the spec");
  }
}

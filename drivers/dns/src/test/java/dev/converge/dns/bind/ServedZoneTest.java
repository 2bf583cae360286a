package dev.converge.dns.bind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ExecResult;
import dev.converge.driver.Readiness;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a desired zone must look like, what converge writes for it, and how dig's answer reads as readiness. */
class ServedZoneTest {

  private static final String SECRET = "c8smQVVUH0kHabN8tlf+TQMIpwFqVTT7/4tQr2LGDyc=";
  private static final String KEY = "key \"lab-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\";\n};\n";

  /** dig 9.18.49 inside a lab host, asking named converge had just configured (captured). */
  private static final String DIG_AUTHORITATIVE = """

      ; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +norec +time=2 +tries=1 @127.0.0.1 lab.test SOA
      ; (1 server found)
      ;; global options: +cmd
      ;; Got answer:
      ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 64478
      ;; flags: qr aa ra; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 2

      ;; OPT PSEUDOSECTION:
      ; EDNS: version: 0, flags:; udp: 1232
      ; COOKIE: 4f87d14035d0c906010000006b11bca509aa8d8bae4b4853 (good)
      ;; QUESTION SECTION:
      ;lab.test.			IN	SOA

      ;; ANSWER SECTION:
      lab.test.		300	IN	SOA	ns.lab.test. hostmaster.lab.test. 1 3600 900 1209600 300

      ;; AUTHORITY SECTION:
      lab.test.		300	IN	NS	ns.lab.test.

      ;; ADDITIONAL SECTION:
      ns.lab.test.		300	IN	A	192.0.2.53

      ;; Query time: 0 msec
      ;; SERVER: 127.0.0.1#53(127.0.0.1) (UDP)
      ;; WHEN: Thu Dec 03 19:01:57 UTC 2026
      ;; MSG SIZE  rcvd: 145

      """;

  /** dig 9.18.49 with nothing listening (captured, exit 9). */
  private static final String DIG_REFUSED_OUT = """

      ; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +norec +time=2 +tries=1 @127.0.0.1 -p 1 lab.test SOA
      ; (1 server found)
      ;; global options: +cmd
      ;; no servers could be reached
      """;

  @Test
  void theInitialZoneFile_hasSoaNsAndTheNameServersAddress_withTheZoneTtl() {
    assertThat(zone(Map.of()).initialZoneFile()).isEqualTo("""
        ; Written once by converge; named maintains this zone from dynamic updates.
        $ORIGIN my.domain.
        $TTL 300
        @\tIN\tSOA\tns.my.domain. hostmaster.my.domain. 1 3600 900 1209600 300
        @\tIN\tNS\tns.my.domain.
        ns\tIN\tA\t10.0.0.1
        """);
    assertThat(zone(Map.of("nameserver", "2001:db8::53")).initialZoneFile()).contains("ns\tIN\tAAAA\t2001:db8::53");
  }

  @Test
  void aZoneNameThatCouldEscapeItsFiles_isRefused() {
    for (String bad : new String[] {"../etc", "My.Domain", "my.domain.", "a/b", "-x.domain", "my..domain"}) {
      assertThatThrownBy(() -> ServedZone.requireZoneName(bad, "dns-zone/ns1:" + bad))
          .as(bad).hasMessageContaining("is not a lower-case DNS zone name");
    }
    assertThat(ServedZone.requireZoneName("3.16.172.in-addr.arpa", "x")).isEqualTo("3.16.172.in-addr.arpa");
  }

  @Test
  void badFields_nameTheResourceAndField_neverTheSecret() {
    assertThatThrownBy(() -> zone(Map.of("key", new Sensitive("secret \"" + SECRET + "\""))))
        .hasMessageContaining("dns-zone/ns1:my.domain").hasMessageContaining("not a TSIG key file")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> zone(Map.of("nameserver", "ns.my.domain")))
        .hasMessageContaining("`nameserver` must be an IPv4 or IPv6 address, found `ns.my.domain`");
    assertThatThrownBy(() -> zone(Map.of("ttl", 0L))).hasMessageContaining("`ttl` must be a number of seconds");
    assertThatThrownBy(() -> zone(Map.of("zone", "other.domain")))
        .hasMessageContaining("`zone` is other.domain but the resource names my.domain");
  }

  @Test
  void zonesSharingAKey_includeItOnce_andTheFragmentReadsBack() {
    ZonesConf conf = ZonesConf.EMPTY.with("vm.my.domain", "k").with("my.domain", "k").with("other", "o");
    String text = conf.render(BindPlatform.LINUX);

    assertThat(text).containsOnlyOnce("include \"/etc/bind/converge/k.key\";")
        .containsOnlyOnce("include \"/etc/bind/converge/o.key\";")
        .contains("allow-transfer { key \"k\"; };");
    assertThat(ZonesConf.parse(text)).isEqualTo(conf);
    assertThat(ZonesConf.parse(text).without("other").usesKey("o")).isFalse();
  }

  @Test
  void readiness_isAnAuthoritativeSoaAnswer() {
    assertThat(ZoneDriver.authoritativeSoa(dig(0, DIG_AUTHORITATIVE, ""), "lab.test", "ns1"))
        .isEqualTo(Readiness.READY);

    Readiness recursed = ZoneDriver.authoritativeSoa(dig(0, DIG_AUTHORITATIVE.replace("qr aa ra", "qr ra"),
        ""), "lab.test", "ns1");
    assertThat(recursed.ready()).isFalse();
    assertThat(recursed.waitingFor()).contains("named on ns1 to answer SOA lab.test authoritatively")
        .contains("flags qr ra");

    Readiness down = ZoneDriver.authoritativeSoa(dig(9, DIG_REFUSED_OUT,
        ";; communications error to 127.0.0.1#1: connection refused\n"), "lab.test", "ns1");
    assertThat(down.ready()).isFalse();
    assertThat(down.waitingFor()).contains("no servers could be reached");
  }

  private static ExecResult dig(int exit, String out, String err) {
    return new ExecResult(exit, out.getBytes(StandardCharsets.UTF_8), err.getBytes(StandardCharsets.UTF_8));
  }

  private static ServedZone zone(Map<String, Object> overrides) {
    Map<String, Object> p = new HashMap<>(Map.of("zone", "my.domain", "key", new Sensitive(KEY), "ttl", 300L,
        "nameserver", "10.0.0.1"));
    p.putAll(overrides);
    return ServedZone.of(Resource.present(ResourceId.of("dns-zone", "ns1", "my.domain"), Properties.of(p),
        Location.unknown()));
  }
}

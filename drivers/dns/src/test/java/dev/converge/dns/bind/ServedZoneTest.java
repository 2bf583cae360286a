package dev.converge.dns.bind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.Readiness;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** What a desired zone must look like, what converge writes for it, and how dig's answer reads as readiness. */
class ServedZoneTest {

  private static final String SECRET = "c8smQVVUH0kHabN8tlf+TQMIpwFqVTT7/4tQr2LGDyc=";
  private static final String KEY = "key \"lab-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\";\n};\n";

  /** dig 9.18.49 inside a lab host, asking named converge had just configured (captured). */
  /** dig 9.18.49 with nothing listening (captured, exit 9). */
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
  void readiness_isAnAuthoritativeSoaAnswer() throws Exception {
    String waiting = "named on ns1 to answer SOA lab.test authoritatively";
    assertThat(ZoneDriver.authoritativeSoa(answer(Rcode.NOERROR, true, true), waiting)).isEqualTo(Readiness.READY);

    Readiness recursed = ZoneDriver.authoritativeSoa(answer(Rcode.NOERROR, false, true), waiting);
    assertThat(recursed.ready()).isFalse();
    assertThat(recursed.waitingFor()).isEqualTo(waiting + " (status NOERROR, not authoritative)");

    Readiness loading = ZoneDriver.authoritativeSoa(answer(Rcode.SERVFAIL, false, false), waiting);
    assertThat(loading.waitingFor()).isEqualTo(waiting + " (status SERVFAIL, not authoritative, no SOA)");
  }

  private static Message answer(int rcode, boolean authoritative, boolean soa) throws Exception {
    Name zone = Name.fromString("lab.test.");
    Message m = Message.newQuery(Record.newRecord(zone, Type.SOA, DClass.IN));
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(rcode);
    if (authoritative) {
      m.getHeader().setFlag(Flags.AA);
    }
    if (soa) {
      m.addRecord(new SOARecord(zone, DClass.IN, 600, Name.fromString("ns.lab.test."),
          Name.fromString("hostmaster.lab.test."), 1, 3600, 600, 86400, 600), Section.ANSWER);
    }
    return m;
  }

  private static ServedZone zone(Map<String, Object> overrides) {
    Map<String, Object> p = new HashMap<>(Map.of("zone", "my.domain", "key", new Sensitive(KEY), "ttl", 300L,
        "nameserver", "10.0.0.1"));
    p.putAll(overrides);
    return ServedZone.of(Resource.present(ResourceId.of("dns-zone", "ns1", "my.domain"), Properties.of(p),
        Location.unknown()));
  }
}

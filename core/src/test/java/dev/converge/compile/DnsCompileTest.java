package dev.converge.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Cidr;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How zones and the hosts' resolvers compile into dns-zone, dns-record and resolv.conf files. */
class DnsCompileTest {

  private static final String KEY = """
      key "site-key" {
      \talgorithm hmac-sha256;
      \tsecret "0WAyOvUSwl8U8sMdFnKVLBu4HNJu1dw2cMcYPdx5N0o=";
      };
      """;
  private static final Map<String, String> ENVIRONMENT = Map.of("DNS_KEY", KEY);

  /** A resolver host serving my.domain, two hosts registered from the jails network with PTRs, a record of each type. */
  private static final String SITE = """
      site: dns
      secrets: { dns-key: { env: DNS_KEY } }
      defaults: { resolver: ns }
      hosts:
        mgmt: { transport: local, resolver: 192.0.2.53 }
        ns: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
        web: { address: 192.0.2.2 }
      networks:
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24,
                 addresses: { ns: [172.16.3.1], web: [172.16.3.5, 172.16.3.6] } }
      zones:
        my.domain:
          server: ns
          key: dns-key
          ttl: 600
          register: [jails]
          reverse: true
          records:
            - { name: www, type: CNAME, value: web }
            - { name: "@", type: MX, value: "10 mail.example.org." }
            - { name: "@", type: TXT, values: ["v=spf1 -all", "say \\"hi\\""] }
            - { name: _sip._udp, type: SRV, value: "10 5 5060 Sip", ttl: 60 }
        other.example:
          server: "192.0.2.53:5353"
          key: dns-key
          records:
            - { name: host, type: AAAA, value: "2001:DB8::1" }
      """;

  @TempDir Path dir;

  private Compilation compile(String yaml) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    Spec spec = SpecLoader.builder().environment(ENVIRONMENT).build().load(file).spec();
    return Compiler.compile(spec, Map.of(), Secrets.of(spec, ENVIRONMENT));
  }

  private static Properties props(DesiredGraph g, String id) {
    return g.resource(ResourceId.parse(id)).orElseThrow(() -> new AssertionError("no " + id)).properties();
  }

  @Test
  void aZoneOnAHostIsServedThereAndItsRecordsAreKeptThroughThatHost() throws Exception {
    DesiredGraph g = compile(SITE).graph();

    assertThat(props(g, "dns-zone/ns:my.domain").asMap()).isEqualTo(Map.of("zone", "my.domain",
        "key", new Sensitive(KEY.strip()), "ttl", 600L, "nameserver", "10.0.0.1"));
    assertThat(props(g, "dns-record/ns:www.my.domain/CNAME").asMap()).isEqualTo(Map.of("zone", "my.domain",
        "server", "127.0.0.1:53", "key", new Sensitive(KEY.strip()), "ttl", 600L,
        "values", List.of("web.my.domain.")));
    assertThat(g.dependenciesOf(ResourceId.parse("dns-record/ns:www.my.domain/CNAME")))
        .contains(ResourceId.parse("dns-zone/ns:my.domain"));
  }

  @Test
  void valuesAreInPresentationFormWithAbsoluteNames() throws Exception {
    DesiredGraph g = compile(SITE).graph();

    assertThat(props(g, "dns-record/ns:my.domain/MX").get("values")).contains(List.of("10 mail.example.org."));
    assertThat(props(g, "dns-record/ns:my.domain/TXT").get("values"))
        .contains(List.of("\"say \\\"hi\\\"\"", "\"v=spf1 -all\""));
    assertThat(props(g, "dns-record/ns:_sip._udp.my.domain/SRV").asMap())
        .containsEntry("values", List.of("10 5 5060 sip.my.domain.")).containsEntry("ttl", 60L);
  }

  @Test
  void aLongTxtValueIsSplitInStringsOf255Bytes() {
    String value = "x".repeat(300);

    assertThat(DnsResources.presentation("TXT", value, "my.domain"))
        .isEqualTo("\"" + "x".repeat(255) + "\" \"" + "x".repeat(45) + "\"");
  }

  @Test
  void registeredHostsGetTheirAddressesAndPtrsInTheNetworksReverseZone() throws Exception {
    DesiredGraph g = compile(SITE).graph();

    assertThat(props(g, "dns-record/ns:web.my.domain/A").get("values"))
        .contains(List.of("172.16.3.5", "172.16.3.6"));
    assertThat(props(g, "dns-record/ns:6.3.16.172.in-addr.arpa/PTR").asMap())
        .containsEntry("zone", "3.16.172.in-addr.arpa").containsEntry("values", List.of("web.my.domain."));
    assertThat(props(g, "dns-zone/ns:3.16.172.in-addr.arpa").get("zone")).contains("3.16.172.in-addr.arpa");
    assertThat(compile(SITE).entities().get("zone/my.domain"))
        .contains(ResourceId.parse("dns-zone/ns:3.16.172.in-addr.arpa"),
            ResourceId.parse("dns-record/ns:6.3.16.172.in-addr.arpa/PTR"));
  }

  @Test
  void aServerGivenAsAnAddressIsReachedFromTheLocalHost() throws Exception {
    DesiredGraph g = compile(SITE).graph();

    assertThat(props(g, "dns-record/mgmt:host.other.example/AAAA").asMap())
        .containsEntry("server", "192.0.2.53:5353").containsEntry("values", List.of("2001:db8::1"));
    assertThat(g.resources().keySet()).noneMatch(id -> id.toString().equals("dns-zone/mgmt:other.example"));
  }

  @Test
  void hostsWithAResolverGetAResolvConfThatSearchesTheirZones() throws Exception {
    DesiredGraph g = compile(SITE).graph();

    assertThat(props(g, "file/web:/etc/resolv.conf").get("content")).contains("""
        # managed by converge: resolver ns
        search my.domain
        nameserver 10.0.0.1
        """);
    assertThat(props(g, "file/mgmt:/etc/resolv.conf").get("content")).contains("""
        # managed by converge: resolver 192.0.2.53
        nameserver 192.0.2.53
        """);
    assertThat(g.dependenciesOf(ResourceId.parse("file/web:/etc/resolv.conf")))
        .contains(ResourceId.parse("dns-zone/ns:my.domain"));
  }

  @Test
  void aRegisteredNameThatIsAlsoARecordIsAnError() {
    String clash = SITE.replace("- { name: www, type: CNAME, value: web }",
        "- { name: web, type: A, value: 192.0.2.9 }");

    assertThatThrownBy(() -> compile(clash)).isInstanceOf(CompileException.class)
        .hasMessageContaining("A record web.my.domain is asked for twice");
  }

  @Test
  void aZoneServedAtAnAddressNeedsALocalHost() {
    String noLocal = SITE.replace("  mgmt: { transport: local, resolver: 192.0.2.53 }\n", "");

    assertThatThrownBy(() -> compile(noLocal)).isInstanceOf(CompileException.class)
        .hasMessageContaining("zone `other.example` is served at 192.0.2.53");
  }

  @Test
  void reverseNamesAndZones() {
    assertThat(DnsResources.reverseName(InetAddresses.forString("10.1.0.5"))).isEqualTo("5.0.1.10.in-addr.arpa");
    assertThat(DnsResources.reverseZone(Cidr.parse("172.16.0.0/12"))).isEqualTo("172.in-addr.arpa");
    assertThat(DnsResources.reverseZone(Cidr.parse("2001:db8::/48"))).isEqualTo("0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  }
}

package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The variables a template may use: checked by the loader, rendered by the compiler through the same class. */
class TemplateVariablesTest {

  @TempDir Path dir;
  private Spec spec;

  @BeforeEach
  void site() throws Exception {
    Files.writeString(dir.resolve("api.token"), "s3cret\n");
    spec = new SpecFixture(dir).file("site.yaml", """
        site: example
        secrets: { api: { file: api.token } }
        hosts:
          mgmt: { transport: local }
          server1: { address: 192.0.2.1, os: freebsd, loopback: 10.0.0.1/32 }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks:
          jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24 }
          backbone: { kind: links, cidr: 172.16.2.0/24 }
        zones: { my.domain: { server: dns, key: api } }
        jails:
          dns: { host: server1, image: base, network: jails, address: 172.16.3.2, hostname: dns.my.domain }
          web: { host: server1, image: base, network: jails }
        """).spec();
  }

  private String render(String text, String host) {
    Template t = Template.parse(text, Location.unknown());
    assertThat(TemplateVariables.of(spec).check(t, host)).isEmpty();
    Secrets secrets = Secrets.of(spec, Map.of());
    return t.render(TemplateVariables.of(spec).resolver(host,
        jail -> jail.equals("web") ? Optional.of(InetAddresses.forString("172.16.3.9")) : Optional.empty(),
        secrets)).text();
  }

  @Test
  void everyFormOfVariable_renders() {
    assertThat(render("${site} ${host.name} ${host.address} ${host.os} ${host.loopback}", "server1"))
        .isEqualTo("example server1 192.0.2.1 freebsd 10.0.0.1");
    assertThat(render("${hosts.server1.name} ${hosts.server1.address} ${hosts.mgmt.os} ${hosts.server1.loopback}",
        "mgmt")).isEqualTo("server1 192.0.2.1 linux 10.0.0.1");
    assertThat(render("${networks.jails.cidr} ${networks.jails.interface} ${networks.backbone.kind}", "mgmt"))
        .isEqualTo("172.16.3.0/24 lo2 links");
    assertThat(render("${jails.dns.name} ${jails.dns.host} ${jails.dns.address} ${jails.dns.hostname}", "mgmt"))
        .isEqualTo("dns server1 172.16.3.2 dns.my.domain");
    assertThat(render("${zones.my.domain.name}", "mgmt")).isEqualTo("my.domain");
  }

  @Test
  void anAutoAddress_comesFromIpam() {
    assertThat(render("web=${jails.web.address}", "mgmt")).isEqualTo("web=172.16.3.9");
  }

  @Test
  void aSecret_makesTheResultSensitive() {
    Template t = Template.parse("token=${secret.api}", Location.unknown());
    Template.Rendered r = t.render(TemplateVariables.of(spec).resolver("mgmt", j -> Optional.empty(),
        Secrets.of(spec, Map.of())));
    assertThat(r.text()).isEqualTo("token=s3cret");
    assertThat(r.sensitive()).isTrue();
    assertThat(Template.parse("${site}", Location.unknown()).render(TemplateVariables.of(spec)
        .resolver("mgmt", j -> Optional.empty(), Secrets.of(spec, Map.of()))).sensitive()).isFalse();
  }

  @Test
  void valuesTheSpecDoesNotGive_areProblems() {
    Template t = Template.parse("${host.loopback} ${networks.backbone.interface} ${jails.web.hostname}"
        + " ${zones.my.domain.server} ${site.name} ${host}", new Location(dir.resolve("f"), 3, 1));
    assertThat(TemplateVariables.of(spec).check(t, "mgmt")).extracting(Problem::toString).containsExactly(
        dir.resolve("f") + ":3:1: error: template variable `${host.loopback}`: host `mgmt` (the file's host) has"
            + " no loopback: expected a host with `loopback`",
        dir.resolve("f") + ":3:18: error: template variable `${networks.backbone.interface}`: network"
            + " `backbone` has no interface (a links network): expected a loopback or bridge network",
        dir.resolve("f") + ":3:49: error: template variable `${jails.web.hostname}`: jail `web` has no hostname:"
            + " expected a jail with `hostname`",
        dir.resolve("f") + ":3:71: error: template variable `${zones.my.domain.server}`: found attribute"
            + " `server`, expected one of name",
        dir.resolve("f") + ":3:97: error: template variable `${site.name}`: found `site.name`, expected one of"
            + " site, host.name, host.address, host.os, host.loopback, hosts.NAME.name, hosts.NAME.address,"
            + " hosts.NAME.os, hosts.NAME.loopback, networks.NAME.cidr, networks.NAME.interface,"
            + " networks.NAME.kind, jails.NAME.name, jails.NAME.host, jails.NAME.address, jails.NAME.hostname,"
            + " zones.NAME.name, secret.NAME",
        dir.resolve("f") + ":3:110: error: template variable `${host}`: found `host`, expected one of site,"
            + " host.name, host.address, host.os, host.loopback, hosts.NAME.name, hosts.NAME.address,"
            + " hosts.NAME.os, hosts.NAME.loopback, networks.NAME.cidr, networks.NAME.interface,"
            + " networks.NAME.kind, jails.NAME.name, jails.NAME.host, jails.NAME.address, jails.NAME.hostname,"
            + " zones.NAME.name, secret.NAME");
  }

  @Test
  void anUnallocatedAddress_failsToRender() {
    Template t = Template.parse("${jails.web.address}", new Location(dir.resolve("f"), 1, 1));
    assertThatThrownBy(() -> t.render(TemplateVariables.of(spec).resolver("mgmt", j -> Optional.empty(),
        Secrets.of(spec, Map.of())))).hasMessage(dir.resolve("f") + ":1:1: no value for ${jails.web.address}");
  }
}

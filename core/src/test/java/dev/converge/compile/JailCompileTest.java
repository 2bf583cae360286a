package dev.converge.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How jails and their images compile: image builds per host, jail settings, routes and DNS names of jails. */
class JailCompileTest {

  private static final String KEY = """
      key "site-key" {
      \talgorithm hmac-sha256;
      \tsecret "0WAyOvUSwl8U8sMdFnKVLBu4HNJu1dw2cMcYPdx5N0o=";
      };
      """;
  private static final Map<String, String> ENVIRONMENT = Map.of("DNS_KEY", KEY);
  private static final String SHA = "ab".repeat(32);

  /** ns serves my.domain; two web jails on the jails loopback network, one on the vms bridge; OSPF over both. */
  private static final String SITE = """
      site: jails
      secrets: { dns-key: { env: DNS_KEY } }
      images:
        bb: { tarball: { url: "https://example.org/bb.tar.gz", sha256: "%s" } }
        deb: { debootstrap: { suite: bookworm, packages: [busybox] } }
        bsd: { freebsd-release: { version: 14.3-RELEASE } }
      hosts:
        mgmt: { transport: local }
        ns: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
        h2: { address: 192.0.2.2, loopback: 10.0.0.2/32 }
      networks:
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24, addresses: { ns: [172.16.3.1] } }
        vms: { kind: bridge, interface: br1, cidr: 10.1.0.0/24, addresses: { h2: [10.1.0.1] } }
      ospf:
        areas:
          0.0.0.0: { networks: [jails, vms], hosts: [ns, h2] }
      zones:
        my.domain: { server: ns, key: dns-key, register: [jails], reverse: true }
      jails:
        web1: { host: h2, image: bb, network: jails, address: auto, hostname: www.my.domain,
                start: "busybox httpd -f -p 80", resolver: ns }
        web2: { host: h2, image: bb, network: jails, address: 172.16.3.9, image-policy: pin }
        dhcp: { host: h2, image: deb, network: vms, address: 10.1.0.2, resolver: web2 }
        old: { host: ns, image: bsd, network: jails, address: 172.16.3.10 }
      """.formatted(SHA);

  @TempDir Path dir;

  @BeforeEach
  void keys() throws Exception {
    Files.writeString(dir.resolve("provision.pub"), "# the provisioner\nssh-ed25519 AAAAC3Nz provision@mgmt\n");
  }

  private Compilation compile(String yaml, boolean lab) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    Spec spec = SpecLoader.builder().environment(ENVIRONMENT).build().load(file).spec();
    return Compiler.compile(spec, Map.of(), Secrets.of(spec, ENVIRONMENT), lab);
  }

  private static Properties props(DesiredGraph g, String id) {
    return g.resource(ResourceId.parse(id)).orElseThrow(() -> new AssertionError("no " + id)).properties();
  }

  @Test
  void aJailOnALoopbackNetworkGetsItsSlash32RoutedFromItsHostsLoopback() throws Exception {
    Compilation c = compile(SITE, false);
    DesiredGraph g = c.graph();

    Properties web1 = props(g, "jail/h2:web1");
    assertThat(web1.get("network")).contains(Map.of("name", "jails", "kind", "loopback", "interface", "lo2",
        "address", "172.16.3.2", "prefix", 32L, "gateway", "10.0.0.2"));
    assertThat(web1.get("hostname")).contains("www.my.domain");
    assertThat(web1.get("start")).contains("busybox httpd -f -p 80");
    assertThat(web1.get("running")).contains(true);
    assertThat(web1.get("runtime")).contains("netns");
    assertThat(web1.get("image-digest")).contains("sha256:" + SHA);
    assertThat(c.allocations().get("jails")).containsEntry("jail/web1", "172.16.3.2");
    assertThat(g.dependenciesOf(ResourceId.parse("jail/h2:web1"))).contains(ResourceId.parse("image/h2:bb"));
    assertThat(props(g, "ospf-router/h2:ospf").get("redistribute"))
        .as("a Linux jail's /32 is the unnumbered peer of its link, which ospfd advertises only as an external route")
        .contains(List.of("172.16.3.2/32", "172.16.3.9/32"));
  }

  @Test
  void onFreebsdTheJailsAliasIsOnTheNetworksInterface_whoseNetworkStatementAdvertisesIt() throws Exception {
    DesiredGraph g = compile(SITE.replace("h2: { address: 192.0.2.2,", "h2: { os: freebsd, address: 192.0.2.2,"),
        false).graph();

    @SuppressWarnings("unchecked")
    Map<String, Object> networks = (Map<String, Object>) props(g, "ospf-router/h2:ospf").get("networks").orElseThrow();
    assertThat(networks).containsEntry("172.16.3.2/32", "0.0.0.0").containsEntry("172.16.3.9/32", "0.0.0.0");
    assertThat(props(g, "ospf-router/h2:ospf").get("redistribute")).contains(List.of());
    assertThat(props(g, "jail/h2:web1").get("runtime")).isEmpty();
  }

  @Test
  void anImageIsBuiltOncePerHostThatRunsIt_identifiedByItsDigest() throws Exception {
    DesiredGraph g = compile(SITE, false).graph();

    assertThat(props(g, "image/h2:bb").get("source")).contains(Map.of("type", "tarball",
        "url", "https://example.org/bb.tar.gz", "sha256", SHA));
    assertThat(props(g, "image/h2:bb").get("digest")).contains("sha256:" + SHA);
    assertThat(props(g, "image/h2:bb").get("stale")).contains(List.of());
    assertThat(g.resources().keySet()).filteredOn(id -> id.kind().equals("image")).extracting(ResourceId::toString)
        .containsExactly("image/h2:bb", "image/h2:deb", "image/ns:bsd");
    String debootstrap = (String) props(g, "image/h2:deb").get("digest").orElseThrow();
    assertThat(debootstrap).matches("sha256:[0-9a-f]{64}");
    assertThat(compile(SITE.replace("packages: [busybox]", "packages: [busybox, curl]"), false).graph()
        .resource(ResourceId.parse("image/h2:deb")).orElseThrow().properties().get("digest"))
        .isPresent().get().isNotEqualTo(debootstrap);
  }

  @Test
  void aPinnedJailDoesNotFollowItsImage() throws Exception {
    DesiredGraph g = compile(SITE, false).graph();

    assertThat(props(g, "jail/h2:web2").get("image-digest")).isEmpty();
    assertThat(props(g, "jail/h2:web2").get("image")).contains("bb");
  }

  @Test
  void aJailOnABridgeTakesTheNetworksPrefixAndTheHostsBridgeAddress() throws Exception {
    Properties dhcp = props(compile(SITE, false).graph(), "jail/h2:dhcp");

    assertThat(dhcp.get("network")).contains(Map.of("name", "vms", "kind", "bridge", "interface", "br1",
        "address", "10.1.0.2", "prefix", 24L, "gateway", "10.1.0.1"));
    assertThat(dhcp.get("resolv-conf")).contains("# managed by converge: resolver web2\nnameserver 172.16.3.9\n");
  }

  @Test
  void jailsOnARegisteredNetworkGetNamesAndPointers_thatWaitForTheJail() throws Exception {
    DesiredGraph g = compile(SITE, false).graph();

    assertThat(props(g, "dns-record/ns:www.my.domain/A").get("values")).contains(List.of("172.16.3.2"));
    assertThat(props(g, "dns-record/ns:web2.my.domain/A").get("values")).contains(List.of("172.16.3.9"));
    assertThat(props(g, "dns-record/ns:2.3.16.172.in-addr.arpa/PTR").get("values"))
        .contains(List.of("www.my.domain."));
    assertThat(g.dependenciesOf(ResourceId.parse("dns-record/ns:www.my.domain/A")))
        .contains(ResourceId.parse("jail/h2:web1"));
    assertThat(g.dependenciesOf(ResourceId.parse("dns-record/ns:2.3.16.172.in-addr.arpa/PTR")))
        .contains(ResourceId.parse("jail/h2:web1"));
    assertThat(props(g, "jail/h2:web1").get("resolv-conf"))
        .contains("# managed by converge: resolver ns\nsearch my.domain\nnameserver 10.0.0.1\n");
  }

  @Test
  void aZoneServedByAJailIsSetUpInsideIt_onceTheJailRuns() throws Exception {
    DesiredGraph g = compile(SITE.replace("my.domain: { server: ns,", "my.domain: { server: web2,")
        .replace("ns: { address: 192.0.2.1, loopback: 10.0.0.1/32 }",
            "ns: { address: 192.0.2.1, loopback: 10.0.0.1/32, resolver: web2 }")
        .replace("h2: { address: 192.0.2.2, loopback: 10.0.0.2/32 }",
            "h2: { address: 192.0.2.2, loopback: 10.0.0.2/32, resolver: web2 }"), false).graph();

    assertThat(props(g, "dns-zone/web2:my.domain").get("nameserver")).contains("172.16.3.9");
    assertThat(g.dependenciesOf(ResourceId.parse("dns-zone/web2:my.domain")))
        .contains(ResourceId.parse("jail/h2:web2"));
    assertThat(props(g, "dns-record/web2:www.my.domain/A").get("server")).contains("127.0.0.1:53");
    assertThat(props(g, "file/ns:/etc/resolv.conf").get("content"))
        .contains("# managed by converge: resolver web2\nsearch my.domain\nnameserver 172.16.3.9\n");
    assertThat(props(g, "file/h2:/etc/resolv.conf").get("content")).as("h2 has no address on jails, but jails there")
        .contains("# managed by converge: resolver web2\nsearch my.domain\nnameserver 172.16.3.9\n");
    assertThat(g.dependenciesOf(ResourceId.parse("file/ns:/etc/resolv.conf")))
        .contains(ResourceId.parse("jail/h2:web2"), ResourceId.parse("dns-zone/web2:my.domain"));
  }

  @Test
  void theLabLeavesOutJailsOfFreebsdReleases_andSaysSo() throws Exception {
    Compilation c = compile(SITE, true);

    assertThat(c.graph().resource(ResourceId.parse("jail/ns:old"))).isEmpty();
    assertThat(c.graph().resource(ResourceId.parse("image/ns:bsd"))).isEmpty();
    assertThat(c.graph().resource(ResourceId.parse("dns-record/ns:old.my.domain/A"))).isEmpty();
    assertThat(c.notes()).contains("left out: jail old (image bsd is a FreeBSD release, which the lab's Linux hosts"
        + " cannot run)");
    assertThat(compile(SITE, false).graph().resource(ResourceId.parse("jail/ns:old"))).isPresent();
  }

  @Test
  void usersAndDevelopmentMode() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    DesiredGraph g = compile(SITE.replace("image-policy: pin }", """
        image-policy: pin,
                users: { provision: { ssh-key: provision.pub, sudo: true } },
                mounts: [{ source: /data/www, target: /www, read-only: true }],
                devel: { source: src } }"""), false).graph();

    Properties web2 = props(g, "jail/h2:web2");
    JailResources.InvokingUser me = JailResources.InvokingUser.current();
    assertThat(web2.get("users")).contains(Map.of(
        "provision", Map.of("ssh-key", "ssh-ed25519 AAAAC3Nz provision@mgmt", "sudo", true),
        "devel", Map.of("uid", (long) me.uid(), "gid", (long) me.gid(), "sudo", false)));
    assertThat(web2.get("mounts")).contains(List.of(
        Map.of("source", "/data/www", "target", "/www", "read-only", true),
        Map.of("source", src.toString(), "target", "/usr/src", "read-only", false)));
  }

  @Test
  void aLocalTarballIsIdentifiedByItsContent() throws Exception {
    Path tarball = Files.write(dir.resolve("root.tar"), new byte[] {1, 2, 3});
    DesiredGraph g = compile(SITE.replace("{ url: \"https://example.org/bb.tar.gz\", sha256: \"" + SHA + "\" }",
        "{ url: root.tar }"), false).graph();

    assertThat(props(g, "image/h2:bb").get("source")).contains(Map.of("type", "tarball",
        "path", tarball.toString(), "sha256", Hashing.sha256().hashBytes(new byte[] {1, 2, 3}).toString()));
  }

  @Test
  void unreadableInputsAndUnroutableJailsAreErrorsNamingTheJail() {
    assertThatThrownBy(() -> compile(SITE.replace("{ url: \"https://example.org/bb.tar.gz\", sha256: \"" + SHA
        + "\" }", "{ url: missing.tar }"), false))
        .isInstanceOf(CompileException.class)
        .hasMessageContaining("image `bb`: cannot read tarball " + dir.resolve("missing.tar"));
    assertThatThrownBy(() -> compile(SITE.replace("h2: { address: 192.0.2.2, loopback: 10.0.0.2/32 }",
        "h2: { address: 192.0.2.2, loopback: 10.0.0.2/32 }\n  h3: { address: 192.0.2.3 }")
        .replace("web2: { host: h2", "web2: { host: h3"), false))
        .isInstanceOf(CompileException.class)
        .hasMessageContaining("jail `web2` on network `jails`: host `h3` has no address to route it from: expected"
            + " an address of the host on `jails` or a loopback");
  }
}

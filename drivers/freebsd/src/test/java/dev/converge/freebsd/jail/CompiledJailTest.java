package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.compile.Compiler;
import dev.converge.resource.Properties;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jail resources compile emits for a FreeBSD host are what this driver reads and renders. */
class CompiledJailTest {

  private static final String SITE = """
      site: bsd
      images:
        freebsd-14: { freebsd-release: { version: 14.3-RELEASE } }
      hosts:
        mgmt: { transport: local }
        bsd1: { os: freebsd, address: 192.0.2.1, loopback: 10.0.0.1/32 }
      networks:
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24 }
        lan: { kind: bridge, interface: bridge0, cidr: 10.1.0.0/24, addresses: { bsd1: [10.1.0.1] } }
      jails:
        web: { host: bsd1, image: freebsd-14, network: jails, address: 172.16.3.2, hostname: web.my.domain,
               start: "busybox httpd -f -p 80 -h /www",
               users: { provision: { ssh-key: provision.pub, sudo: true } },
               mounts: [{ source: /data/www, target: /www, read-only: true }],
               packages: [busybox] }
        dhcp: { host: bsd1, image: freebsd-14, network: lan, address: 10.1.0.2 }
      """;

  @TempDir Path dir;

  private Properties compiled(String jail) throws Exception {
    Files.writeString(dir.resolve("provision.pub"), "# the provisioner\nssh-ed25519 AAAAC3Nz provision@mgmt\n");
    Path file = Files.writeString(dir.resolve("site.yaml"), SITE);
    Spec spec = SpecLoader.builder().build().load(file).spec();
    return Compiler.compile(spec, Map.of(), Secrets.of(spec, Map.of())).graph()
        .resource(ResourceId.parse("jail/bsd1:" + jail)).orElseThrow().properties();
  }

  @Test
  void aLoopbackJailWithUsersMountsAndPackagesIsAccepted() throws Exception {
    Properties web = compiled("web");

    JailSettings s = JailSettings.of("bsd1", "web", web);

    assertThat(web.get("runtime")).as("no Linux runtime on FreeBSD").isEmpty();
    assertThat(s.network().kind()).isEqualTo(JailSettings.Network.Kind.LOOPBACK);
    assertThat(s.users().get("provision").sshKey()).contains("ssh-ed25519 AAAAC3Nz provision@mgmt\n");
    assertThat(JailConf.render(s)).contains("  ip4.addr = \"lo2|172.16.3.2/32\";\n",
        "  mount.fstab = \"/etc/fstab.web\";\n");
  }

  @Test
  void aBridgeJailIsAccepted() throws Exception {
    JailSettings s = JailSettings.of("bsd1", "dhcp", compiled("dhcp"));

    assertThat(JailConf.render(s)).contains("  vnet.interface = \"epair2b\";\n",
        "  exec.start += \"/sbin/route add default 10.1.0.1\";\n");
  }
}

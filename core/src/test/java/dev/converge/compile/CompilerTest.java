package dev.converge.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompilerTest {

  @TempDir Path dir;

  private Compilation compile(String yaml) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    Spec spec = SpecLoader.builder().environment(Map.of()).build().load(file).spec();
    return Compiler.compile(spec, Map.of(), Secrets.of(spec, Map.of()));
  }

  private static ResourceId id(String kind, String name) {
    return ResourceId.of(kind, "server1", name);
  }

  private static final String HOST = """
      site: test
      hosts:
        server1:
          address: 192.0.2.1
          hostname: server1.example.org
          sysctl: { net.ipv4.ip_forward: 1 }
          repositories: { local: "deb [trusted=yes] file:/srv/repo ./" }
          packages: [frr]
          users: { provision: { ssh-key: provision.pub, sudo: true }, devel: { uid: 4242, gid: 4242 } }
          services: { frr: ~ }
      files:
        - { host: server1, path: /etc/frr/frr.conf, content: "hostname server1\\n" }
      """;

  @Test
  void hostBasicsBecomeOneResourceEachWithTheirProperties() throws Exception {
    Files.writeString(dir.resolve("provision.pub"), "# a comment\nssh-ed25519 AAAAC3Nza provision@mgmt\n\n");
    DesiredGraph g = compile(HOST).graph();

    assertThat(g.resources().keySet()).extracting(ResourceId::toString).containsExactlyInAnyOrder(
        "hostname/server1:hostname", "sysctl/server1:net.ipv4.ip_forward", "package-repository/server1:local",
        "package/server1:frr", "user/server1:provision", "user/server1:devel", "service/server1:frr",
        "file/server1:/etc/frr/frr.conf");
    assertThat(g.resource(id("user", "provision")).orElseThrow().properties()).isEqualTo(Properties.of(Map.of(
        "sudo", true, "authorized-keys", List.of("ssh-ed25519 AAAAC3Nza provision@mgmt"))));
    assertThat(g.resource(id("user", "devel")).orElseThrow().properties()).isEqualTo(Properties.of(Map.of(
        "sudo", false, "uid", 4242L, "gid", 4242L)));
    assertThat(g.resource(id("service", "frr")).orElseThrow().properties())
        .isEqualTo(Properties.of(Map.of("enabled", true, "running", true)));
    assertThat(g.resource(id("sysctl", "net.ipv4.ip_forward")).orElseThrow().properties())
        .isEqualTo(Properties.of(Map.of("value", "1")));
  }

  @Test
  void aHostIsSetUpInOrderRepositoriesPackagesUsersFilesServices() throws Exception {
    Files.writeString(dir.resolve("provision.pub"), "ssh-ed25519 AAAAC3Nza provision@mgmt\n");
    List<String> order = compile(HOST).graph().topologicalOrder().stream().map(ResourceId::kind).toList();

    assertThat(order.indexOf("package-repository")).isLessThan(order.indexOf("package"));
    assertThat(order.indexOf("package")).isLessThan(order.indexOf("user"));
    assertThat(order.lastIndexOf("user")).isLessThan(order.indexOf("file"));
    assertThat(order.indexOf("file")).isLessThan(order.indexOf("service"));
  }

  @Test
  void anUnreadableSshKeyIsAnErrorNamingUserHostAndFile() {
    assertThatThrownBy(() -> compile(HOST)).isInstanceOf(CompileException.class)
        .hasMessage("user `provision` on host `server1`: cannot read ssh-key " + dir.resolve("provision.pub")
            + " (NoSuchFileException)");
  }
}

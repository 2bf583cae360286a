package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader as a whole: one pass, every problem, sorted; a result only for a valid spec. */
class SpecLoaderTest {

  @TempDir Path dir;

  @Test
  void everyProblem_isReportedAtOnce_sortedByLocation() {
    assertThat(new SpecFixture(dir)
        .file("site.yaml", """
            site: test
            hosts:
              server1: { adress: 192.0.2.1 }
              server2: { address: 192.0.2.2, ssh: { port: 0 } }
            networks:
              lan: { kind: bridge, interface: br0, cidr: 10.0.0.1/24 }
            include: [a.yaml]
            """)
        .file("a.yaml", "jails:\n  web: { host: server3 }\n")
        .problems()).containsExactly(
        "a.yaml:2:3: missing key `image` in jail `web`: expected an image defined in the spec",
        "a.yaml:2:3: missing key `network` in jail `web`: expected a network defined in the spec",
        "a.yaml:2:16: `host` in jail `web`: found `server3`, expected a host defined in the spec — did you mean"
            + " `server1`?",
        "site.yaml:3:3: missing key `address` in host `server1`: expected an IP address or a DNS name",
        "site.yaml:3:14: unknown key `adress` in host `server1`: expected one of os, transport, address, ssh, via,"
            + " loopback, resolver, external-interface, routing-daemon, wireguard, hostname, sysctl, repositories, "
            + "packages, users, services, profile — did you mean `address`?",
        "site.yaml:4:47: `ssh.port` in host `server2`: found `0`, expected an integer 1-65535",
        "site.yaml:6:46: `cidr` in network `lan`: found `10.0.0.1/24`, which has host bits set: expected the"
            + " network address `10.0.0.0/24`");
  }

  @Test
  void theExceptionMessage_listsEveryProblemOnItsOwnLine() {
    new SpecFixture(dir).file("site.yaml", "site: test\nhots: {}\nnetwork: {}\n");
    assertThatThrownBy(() -> SpecLoader.builder().build().load(dir.resolve("site.yaml")))
        .isInstanceOfSatisfying(SpecException.class, e -> {
          assertThat(e.problems()).hasSize(2);
          assertThat(e.getMessage().lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains(": error: "));
        });
  }

  @Test
  void warnings_comeWithAValidSpec_andWithTheErrorsOfAnInvalidOne() throws Exception {
    Files.writeString(dir.resolve("k.key"), "x");
    Files.setPosixFilePermissions(dir.resolve("k.key"), PosixFilePermissions.fromString("rw-rw----"));
    SpecFixture fixture =
        new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "secrets: { k: { file: k.key } }\n");
    assertThat(fixture.warnings()).containsExactly("site.yaml:5:23: warning: secret `k` file k.key is readable by"
        + " group/others (mode 0660): chmod 600 it");
    fixture.file("site.yaml", SpecFixture.BASE + "secrets: { k: { file: k.key } }\nhots: {}\n");
    assertThat(fixture.problems()).hasSize(2).anySatisfy(p -> assertThat(p).contains("warning: secret `k`"));
  }

  @Test
  void aValidSpec_knowsItsSources() {
    Spec spec = new SpecFixture(dir).file("site.yaml", SpecFixture.BASE).spec();
    assertThat(spec.site()).isEqualTo("test");
    assertThat(spec.sources()).containsExactly(dir.resolve("site.yaml"));
    assertThat(spec.hosts().get("server1").location()).isEqualTo(new Location(dir.resolve("site.yaml"), 4, 3));
  }

  @Test
  void aRelativeRootPath_isResolvedAgainstTheWorkingDirectory() throws Exception {
    new SpecFixture(dir).file("site.yaml", SpecFixture.BASE);
    Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("site.yaml"));
    assertThat(SpecLoader.builder().build().load(relative).spec().root()).isEqualTo(dir.resolve("site.yaml"));
  }

  @Test
  void builderLimits_areChecked() {
    assertThatThrownBy(() -> SpecLoader.builder().maxDepth(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDepth must be 1-1000, was 0");
    assertThatThrownBy(() -> SpecLoader.builder().maxDepth(1001)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpecLoader.builder().maxFileBytes(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFileBytes must be positive, was 0");
  }
}

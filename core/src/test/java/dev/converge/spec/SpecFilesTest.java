package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code include:}: which files make up a spec, in what order, and what is refused. */
class SpecFilesTest {

  @TempDir Path dir;

  @Test
  void includes_areRelativeToTheIncludingFile_andSourcesFollowTheOrderReached() {
    Spec spec = new SpecFixture(dir)
        .file("site.yaml", SpecFixture.BASE + "include: [more/a.yaml, c.yaml]\n")
        .file("more/a.yaml", "hosts: { server2: { address: 192.0.2.2 } }\ninclude: [b.yaml]\n")
        .file("more/b.yaml", "hosts: { server3: { address: 192.0.2.3 } }\n")
        .file("c.yaml", "hosts: { server4: { address: 192.0.2.4 } }\n")
        .spec();
    assertThat(spec.sources()).containsExactly(dir.resolve("site.yaml"), dir.resolve("more/a.yaml"),
        dir.resolve("more/b.yaml"), dir.resolve("c.yaml"));
    assertThat(spec.root()).isEqualTo(dir.resolve("site.yaml"));
    assertThat(spec.hosts()).containsOnlyKeys("mgmt", "server1", "server2", "server3", "server4");
    assertThat(spec.hosts().get("server3").location()).isEqualTo(new Location(dir.resolve("more/b.yaml"), 1, 10));
  }

  @Test
  void aMissingInclude_isAnErrorAtItsEntry() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [a.yaml, nope.yaml]\n")
        .file("a.yaml", "")
        .problems()).containsExactly("site.yaml:5:19: `include[1]` in the top-level map: found `nope.yaml`, which"
        + " does not exist (nope.yaml): expected a YAML file, relative to the including file");
  }

  @Test
  void anIncludeCycle_isAnErrorAtTheEntryThatClosesIt() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [a.yaml]\n")
        .file("a.yaml", "include: [b.yaml]\n")
        .file("b.yaml", "include: [a.yaml]\n")
        .problems()).containsExactly("b.yaml:1:11: `include[0]` in the top-level map: found an include cycle"
        + " a.yaml → b.yaml → a.yaml: expected includes that never lead back to a file that includes them");
  }

  @Test
  void includingTheRoot_isACycle() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [site.yaml]\n")
        .problems()).containsExactly("site.yaml:5:11: `include[0]` in the top-level map: found an include cycle"
        + " site.yaml → site.yaml: expected includes that never lead back to a file that includes them");
  }

  @Test
  void aFileIncludedTwice_isAnErrorNamingTheFirstInclusion() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [a.yaml, b.yaml]\n")
        .file("a.yaml", "")
        .file("b.yaml", "include: [./a.yaml]\n")
        .problems()).containsExactly("b.yaml:1:11: `include[0]` in the top-level map: found `./a.yaml` a second"
        + " time: expected each file to be included once (already at site.yaml:5:11)");
  }

  @Test
  void siteAndDefaults_belongOnlyInTheRoot() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [a.yaml]\n")
        .file("a.yaml", "site: other\ndefaults: { os: linux }\n")
        .problems()).containsExactly(
        "a.yaml:1:1: found `site` in an included file: expected it only in the root spec file",
        "a.yaml:2:1: found `defaults` in an included file: expected it only in the root spec file");
  }

  @Test
  void duplicateNames_acrossFiles_nameTheFirstDefinition() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [a.yaml]\n")
        .file("a.yaml", "hosts:\n  server1: { address: 192.0.2.9 }\n")
        .problems()).containsExactly("a.yaml:2:3: duplicate host `server1`: already defined at site.yaml:4:3");
  }

  @Test
  void includeMustBeAList() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: a.yaml\n").problems())
        .containsExactly("site.yaml:5:10: `include` in the top-level map: found `a.yaml`, expected a list of YAML"
            + " file paths");
  }

  @Test
  void aDirectory_isNotAnIncludableFile() throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [sub]\n").problems())
        .containsExactly("site.yaml:5:11: `include[0]` in the top-level map: found sub, which is not a regular"
            + " file: expected a YAML file");
  }

  @Test
  void anOversizedInclude_isAnErrorAtItsEntry() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [big.yaml]\n")
        .file("big.yaml", "#".repeat(1000))
        .loader(SpecLoader.builder().maxFileBytes(500))
        .problems()).containsExactly("site.yaml:5:11: `include[0]` in the top-level map: found big.yaml larger"
        + " than 500 bytes: expected a spec file of at most 500 bytes");
  }

  @Test
  void problemsInsideAnInclude_pointIntoIt() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "include: [a.yaml]\n")
        .file("a.yaml", "hosts:\n  server2: { adress: 192.0.2.9 }\n")
        .problems()).containsExactly(
        "a.yaml:2:3: missing key `address` in host `server2`: expected an IP address or a DNS name",
        "a.yaml:2:14: unknown key `adress` in host `server2`: expected one of os, transport, address, ssh, via,"
            + " loopback, resolver, external-interface, routing-daemon, wireguard, hostname, sysctl, repositories, "
            + "packages, users, services, profile — did you mean `address`?");
  }

  @Test
  void aRootThatDoesNotExist_isAnIoException() {
    assertThatThrownBy(() -> SpecLoader.builder().build().load(dir.resolve("nope.yaml")))
        .isInstanceOf(NoSuchFileException.class);
  }
}

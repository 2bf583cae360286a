package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.testing.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code converge} command converging 200 files over SSH into a real OpenSSH sshd the test starts on
 * 127.0.0.1, with strict host-key checking against a known_hosts file the test writes. The sshd's own log counts
 * connections and commands, so batching and connection reuse are measured where they happen.
 */
class SshFilesIT {

  private static final int FILES = 200;

  @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();

  @TempDir Path dir;
  private Path root;
  private Path spec;
  private Path knownHosts;

  @BeforeEach
  void writeSpec() throws Exception {
    root = dir.resolve("remote");
    knownHosts = sshd.writeKnownHosts(dir.resolve("known_hosts"));
    spec = SpecWriter.files(dir.resolve("site.yaml"), "ssh200", "server1", hostYaml(knownHosts), root, FILES, -1);
  }

  private static String hostYaml(Path knownHosts) {
    return "address: " + sshd.host() + ", ssh: { port: " + sshd.port() + ", user: " + sshd.user() + ", identity: "
        + sshd.clientKey() + ", known-hosts: " + knownHosts + " }";
  }

  private Path file(int i) {
    return root.resolve("dir" + (i % 10)).resolve("file-" + i + ".conf");
  }

  @Test
  void aNoOpConvergeOpensOneConnectionAndSendsOneProbe() throws Exception {
    Cli.Run first = Cli.run(spec.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(file(199)).hasContent(SpecWriter.content(199).stripTrailing());

    long connections = sshd.acceptedConnections();
    long commands = sshd.commandsExecuted();
    Cli.Run noop = Cli.run(spec.toString());

    assertThat(noop.exit()).as(noop.toString()).isZero();
    assertThat(noop.out()).isEmpty();
    assertThat(sshd.acceptedConnections() - connections).as("connections for a no-op converge").isEqualTo(1);
    assertThat(sshd.commandsExecuted() - commands).as("commands for a no-op converge of one (host, driver)")
        .isEqualTo(1);
  }

  @Test
  void driftOverSshIsPlannedThenRestored() throws Exception {
    assertThat(Cli.run(spec.toString()).exit()).isZero();
    Files.writeString(file(42), "hand edit\n");

    Cli.Run plan = Cli.run("plan", spec.toString());
    assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.out()).contains("~ update file/server1:" + file(42))
        .contains("        -hand edit\n")
        .contains("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 to move.");

    assertThat(Cli.run(spec.toString()).exit()).isZero();
    assertThat(file(42)).hasContent(SpecWriter.content(42).stripTrailing());
  }

  @Test
  void aFileDroppedFromTheSpecIsDeletedOverSshOnlyIfConvergeCreatedIt() throws Exception {
    Files.createDirectories(file(5).getParent());
    Files.writeString(file(5), SpecWriter.content(5));
    Files.setPosixFilePermissions(file(5), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    assertThat(Cli.run(spec.toString()).exit()).isZero();

    SpecWriter.files(spec, "ssh200", "server1", hostYaml(knownHosts), root, 10, -1);
    Cli.Run shrink = Cli.run(spec.toString());
    assertThat(shrink.exit()).as(shrink.toString()).isZero();
    assertThat(shrink.out()).contains("Apply: 0 created, 0 updated, 0 replaced, 190 deleted");
    assertThat(file(10)).doesNotExist();

    SpecWriter.files(spec, "ssh200", "server1", hostYaml(knownHosts), root, 10, 5);
    Cli.Run drop = Cli.run(spec.toString());
    assertThat(drop.exit()).as(drop.toString()).isZero();
    assertThat(drop.err()).contains("file/server1:" + file(5) + " is no longer in the spec; left in place");
    assertThat(file(5)).exists();
  }

  @Test
  void anUnknownHostKeyIsRefusedWithItsFingerprintAndNothingChanges() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty_known_hosts"));
    SpecWriter.files(spec, "ssh200", "server1", hostYaml(empty), root, 3, -1);

    Cli.Run run = Cli.run(spec.toString());

    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.err()).contains(sshd.hostKeyFingerprint()).contains("host-key-policy: accept-new");
    assertThat(file(0)).doesNotExist();
  }
}

package dev.converge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The fixture checked with the real OpenSSH client, so a broken fixture cannot hide behind a broken transport. */
class OpenSshServerTest {

  @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();

  @TempDir Path tmp;

  @Test
  void acceptsTheClientKeyAndCountsConnectionsAndCommands() throws Exception {
    long connectionsBefore = sshd.acceptedConnections();
    long commandsBefore = sshd.commandsExecuted();

    Ssh result = ssh(sshd, sshd.clientKey(), "echo", "hello");

    assertThat(result.exitCode).isZero();
    assertThat(result.output).isEqualTo("hello\n");
    assertThat(sshd.acceptedConnections()).isEqualTo(connectionsBefore + 1);
    assertThat(sshd.commandsExecuted()).isEqualTo(commandsBefore + 1);
    assertThat(sshd.host()).isEqualTo("127.0.0.1");
    assertThat(sshd.knownHostsLine()).startsWith("[127.0.0.1]:" + sshd.port() + " ssh-ed25519 AAAA");
  }

  @Test
  void fingerprintMatchesWhatSshKeygenPrints() throws Exception {
    Path knownHosts = sshd.writeKnownHosts(tmp.resolve("known_hosts"));
    Process keygen = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", knownHosts.toString()).start();
    String printed = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(keygen.waitFor()).isZero();
    assertThat(printed).contains(sshd.hostKeyFingerprint());
  }

  @Test
  void authorizesAddedRsaKeys() throws Exception {
    Path rsa = sshd.addClientKey("rsa");

    assertThat(ssh(sshd, rsa, "true").exitCode).isZero();
  }

  @Test
  void rotatingTheHostKeyKeepsThePortAndChangesTheFingerprint() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start()) {
      int port = server.port();
      String before = server.hostKeyFingerprint();
      Path oldKnownHosts = server.writeKnownHosts(tmp.resolve("old_known_hosts"));

      server.rotateHostKey();

      assertThat(server.port()).isEqualTo(port);
      assertThat(server.hostKeyFingerprint()).isNotEqualTo(before);
      Ssh refused = ssh(server, server.clientKey(), oldKnownHosts, "true");
      assertThat(refused.exitCode).isEqualTo(255);
      assertThat(refused.output).contains("REMOTE HOST IDENTIFICATION HAS CHANGED");
    }
  }

  @Test
  void pausedServerHoldsConnectionsUntilResumed() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start()) {
      server.pause();
      Process client = sshProcess(server, server.clientKey(), server.writeKnownHosts(tmp.resolve("kh")), "true");
      assertThat(client.waitFor(1, TimeUnit.SECONDS)).as("client finished against a frozen server").isFalse();

      server.resume();

      assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(client.exitValue()).isZero();
    }
  }

  @Test
  void closeKillsEveryProcessAndDeletesItsFiles() throws Exception {
    OpenSshServer server = OpenSshServer.create().start();
    Process session = sshProcess(server, server.clientKey(), server.writeKnownHosts(tmp.resolve("kh")), "sleep", "60");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.commandsExecuted() == 1);
    List<ProcessHandle> processes = server.processes();
    Path key = server.clientKey();
    assertThat(processes).hasSizeGreaterThan(1);

    server.close();

    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(key.getParent()).doesNotExist();
    assertThat(session.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void reportsTheLocalPortsItsProcessesHold() {
    assertThat(sshd.localTcpPorts()).contains(sshd.port());
  }

  @Test
  void isConfiguredWithExtraSettings() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().with("LogLevel", "DEBUG1").start()) {
      ssh(server, server.clientKey(), "true");

      assertThat(server.log()).contains("debug1:");
    }
  }

  private record Ssh(int exitCode, String output) {}

  private Ssh ssh(OpenSshServer server, Path key, String... command) throws Exception {
    return ssh(server, key, server.writeKnownHosts(Files.createTempFile(tmp, "known_hosts", "")), command);
  }

  private Ssh ssh(OpenSshServer server, Path key, Path knownHosts, String... command) throws Exception {
    Process p = sshProcess(server, key, knownHosts, command);
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Ssh(p.exitValue(), output);
  }

  private static Process sshProcess(OpenSshServer server, Path key, Path knownHosts, String... command)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-o", "BatchMode=yes",
        "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", "UserKnownHostsFile=" + knownHosts, "-i", key.toString(), "-p", Integer.toString(server.port()),
        server.user() + "@" + server.host()));
    argv.addAll(List.of(command));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
        Path.of("/dev/null").toFile())).start();
  }
}

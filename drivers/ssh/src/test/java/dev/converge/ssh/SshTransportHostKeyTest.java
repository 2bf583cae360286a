package dev.converge.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.Command;
import dev.converge.driver.Endpoint;
import dev.converge.driver.HostKeyPolicy;
import dev.converge.driver.TransportException;
import dev.converge.testing.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Host key checking against known_hosts, the way OpenSSH's client does it. */
class SshTransportHostKeyTest {

  @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();

  @TempDir Path tmp;

  private static Endpoint endpoint(OpenSshServer server, Path knownHosts) {
    return Endpoint.ssh("target", server.host(), server.port(), server.user(), server.clientKey(), knownHosts);
  }

  @Test
  void knownKey_connects() throws Exception {
    Path knownHosts = sshd.writeKnownHosts(tmp.resolve("known_hosts"));

    try (SshTransport t = SshTransport.connect(endpoint(sshd, knownHosts), e -> null)) {
      assertThat(t.exec(Command.of("true")).ok()).isTrue();
    }
  }

  @Test
  void hashedKnownHostsEntry_connects() throws Exception {
    Path knownHosts = sshd.writeKnownHosts(tmp.resolve("known_hosts"));
    Process hash = new ProcessBuilder("ssh-keygen", "-H", "-f", knownHosts.toString()).start();
    assertThat(hash.waitFor()).isZero();
    assertThat(Files.readString(knownHosts)).startsWith("|1|").doesNotContain("127.0.0.1");

    try (SshTransport t = SshTransport.connect(endpoint(sshd, knownHosts), e -> null)) {
      assertThat(t.exec(Command.of("true")).ok()).isTrue();
    }
  }

  @Test
  void unknownHost_isRefusedNamingTheFileAndFingerprint() throws Exception {
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "# nothing yet\n");
    long acceptedBefore = sshd.acceptedConnections();

    assertThatThrownBy(() -> SshTransport.connect(endpoint(sshd, knownHosts), e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("host key of [127.0.0.1]:" + sshd.port() + " is not in " + knownHosts)
        .hasMessageContaining("ssh-ed25519 " + sshd.hostKeyFingerprint())
        .hasMessageContaining("ssh-keyscan -p " + sshd.port() + " 127.0.0.1 >> " + knownHosts)
        .hasMessageContaining("host-key-policy: accept-new");
    assertThat(Files.readString(knownHosts)).isEqualTo("# nothing yet\n");
    assertThat(sshd.acceptedConnections()).as("authenticated anyway").isEqualTo(acceptedBefore);
  }

  @Test
  void missingKnownHostsFile_isRefusedUnderStrict() {
    Path knownHosts = tmp.resolve("absent");

    assertThatThrownBy(() -> SshTransport.connect(endpoint(sshd, knownHosts), e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("is not in " + knownHosts);
    assertThat(knownHosts).doesNotExist();
  }

  @Test
  void entryForTheSameAddressOnAnotherPort_doesNotCount() throws Exception {
    String otherPort = sshd.knownHostsLine().replace("]:" + sshd.port() + " ", "]:1 ");
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), otherPort + "\n");

    assertThatThrownBy(() -> SshTransport.connect(endpoint(sshd, knownHosts), e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("is not in");
  }

  @Test
  void changedKey_isRefusedUnderEveryPolicy_namingOldAndNewFingerprints() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start()) {
      Path knownHosts = server.writeKnownHosts(tmp.resolve("known_hosts"));
      String before = Files.readString(knownHosts);
      String oldFingerprint = server.hostKeyFingerprint();
      server.rotateHostKey();

      for (HostKeyPolicy policy : HostKeyPolicy.values()) {
        assertThatThrownBy(() -> SshTransport.connect(endpoint(server, knownHosts).withHostKeyPolicy(policy),
            e -> null))
            .as("policy %s", policy)
            .isInstanceOf(TransportException.class)
            .hasMessageContaining("REMOTE HOST IDENTIFICATION HAS CHANGED for [127.0.0.1]:" + server.port())
            .hasMessageContaining("has ssh-ed25519 " + oldFingerprint)
            .hasMessageContaining("presented ssh-ed25519 " + server.hostKeyFingerprint());
      }
      assertThat(Files.readString(knownHosts)).isEqualTo(before);
      assertThat(server.acceptedConnections()).isZero();
    }
  }

  @Test
  void revokedKey_isRefused() throws Exception {
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "@revoked " + sshd.knownHostsLine() + "\n");

    assertThatThrownBy(() -> SshTransport.connect(endpoint(sshd, knownHosts)
        .withHostKeyPolicy(HostKeyPolicy.ACCEPT_NEW), e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("is marked @revoked in " + knownHosts);
  }

  @Test
  void keyOfATypeNotKnownForTheHost_isRefusedEvenUnderAcceptNew() throws Exception {
    String rsaEntry = "[127.0.0.1]:" + sshd.port() + " " + publicKeyLine(sshd.addClientKey("rsa"));
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), rsaEntry + "\n");

    assertThatThrownBy(() -> SshTransport.connect(endpoint(sshd, knownHosts)
        .withHostKeyPolicy(HostKeyPolicy.ACCEPT_NEW), e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("knows only ssh-rsa keys for it");
    assertThat(Files.readString(knownHosts)).isEqualTo(rsaEntry + "\n");
  }

  @Test
  void acceptNew_recordsTheKeyInANewPrivateFile_andTheNextConnectionIsStrictlyVerified() throws Exception {
    Path knownHosts = tmp.resolve("ssh").resolve("known_hosts");

    try (SshTransport t = SshTransport.connect(endpoint(sshd, knownHosts).withHostKeyPolicy(HostKeyPolicy.ACCEPT_NEW),
        e -> null)) {
      assertThat(t.exec(Command.of("true")).ok()).isTrue();
    }

    assertThat(Files.readAllLines(knownHosts)).containsExactly(sshd.knownHostsLine());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts))).isEqualTo("rw-------");
    try (SshTransport strict = SshTransport.connect(endpoint(sshd, knownHosts), e -> null)) {
      assertThat(strict.exec(Command.of("true")).ok()).isTrue();
    }
    assertThat(Files.readAllLines(knownHosts)).hasSize(1);
  }

  @Test
  void acceptNew_appendsToAnExistingFileWithoutATrailingNewline() throws Exception {
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "# no newline at the end");

    try (SshTransport t = SshTransport.connect(endpoint(sshd, knownHosts).withHostKeyPolicy(HostKeyPolicy.ACCEPT_NEW),
        e -> null)) {
      assertThat(t.exec(Command.of("true")).ok()).isTrue();
    }

    assertThat(Files.readAllLines(knownHosts)).containsExactly("# no newline at the end", sshd.knownHostsLine());
  }

  private static String publicKeyLine(Path privateKey) throws Exception {
    String[] fields = Files.readString(privateKey.resolveSibling(privateKey.getFileName() + ".pub")).split(" ");
    return fields[0] + " " + fields[1];
  }
}

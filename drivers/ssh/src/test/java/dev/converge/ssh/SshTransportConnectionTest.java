package dev.converge.ssh;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.converge.driver.Command;
import dev.converge.driver.DriverRegistry;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.testing.OpenSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection life cycle: dead peers, closing, jump hosts, and what the user reads when connecting fails. */
class SshTransportConnectionTest {

  @TempDir Path tmp;

  private Endpoint endpoint(OpenSshServer server, String name) {
    Path knownHosts = server.writeKnownHosts(tmp.resolve("known_hosts-" + name));
    return Endpoint.ssh(name, server.host(), server.port(), server.user(), server.clientKey(), knownHosts);
  }

  @Test
  void providerIsFoundByServiceLoaderForSchemeSsh() {
    assertThat(DriverRegistry.load().transport("ssh")).get().isInstanceOf(SshTransportProvider.class);
  }

  @Test
  void deadPeer_failsTheRunningCommandWithinTheKeepAliveBound_andEveryLaterOne() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start();
        SshTransport ssh = SshTransport.connect(endpoint(server, "frozen").withTimeouts(Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofMillis(500), 3), e -> null)) {
      CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(() -> {
        try {
          return ssh.exec(Command.of("sleep", "30"));
        } catch (TransportException e) {
          throw new RuntimeException(e);
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> server.commandsExecuted() == 1);
      long paused = System.nanoTime();

      server.pause();

      // 3 misses x 0.5 s, plus up to one interval before the first unanswered probe, well within the command's
      // 60 s timeout, which is what would end it without keep-alives; the margin is for a busy CI machine
      assertThatThrownBy(() -> running.get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().cause()
          .isInstanceOf(TransportException.class)
          .hasMessage("connection to frozen (" + ssh.describe() + ") lost (no keep-alive reply for 1.5s)");
      assertThat(Duration.ofNanos(System.nanoTime() - paused)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
      long failedAt = System.nanoTime();
      assertThatThrownBy(() -> ssh.exec(Command.of("true")))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("lost (no keep-alive reply for 1.5s)");
      assertThatThrownBy(() -> ssh.read("/etc/hostname")).hasMessageContaining("lost");
      assertThat(Duration.ofNanos(System.nanoTime() - failedAt))
          .as("later calls fail without another keep-alive wait").isLessThan(Duration.ofMillis(1500));
    }
  }

  @Test
  void idleConnection_survivesManyKeepAliveRounds() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start();
        SshTransport ssh = SshTransport.connect(endpoint(server, "idle").withTimeouts(Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofMillis(100), 2), e -> null)) {
      // a command outlasting 15 keep-alive rounds (and their 2-miss limit) proves the replies are seen
      assertThat(ssh.exec(Command.of("sleep", "1.5")).ok()).isTrue();
      assertThat(ssh.exec(Command.of("echo", "alive")).out()).isEqualTo("alive\n");
    }
  }

  @Test
  void close_failsRunningCommandsAndRefusesNewOnes() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start()) {
      SshTransport ssh = SshTransport.connect(endpoint(server, "closing"), e -> null);
      CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(() -> {
        try {
          return ssh.exec(Command.of("sleep", "30"));
        } catch (TransportException e) {
          throw new RuntimeException(e);
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> server.commandsExecuted() == 1);

      ssh.close();

      assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
          .cause().cause()
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("the transport was closed");
      assertThatThrownBy(() -> ssh.exec(Command.of("true")))
          .isInstanceOf(TransportException.class)
          .hasMessage(ssh.describe() + " is closed");
      await().atMost(Duration.ofSeconds(10)).until(() -> server.log().contains("Disconnected from user"));
    }
  }

  @Test
  void jumpHost_tunnelsThroughTheJumpServersConnection() throws Exception {
    try (OpenSshServer jumpServer = OpenSshServer.create().start();
        OpenSshServer targetServer = OpenSshServer.create().start();
        TransportPool pool = new TransportPool()) {
      Endpoint jump = endpoint(jumpServer, "jump");
      Endpoint target = endpoint(targetServer, "target").withVia(jump);

      Transport transport = pool.connect(target);

      assertThat(transport.describe()).isEqualTo("ssh " + targetServer.user() + "@127.0.0.1:"
          + targetServer.port() + " via jump");
      assertThat(transport.exec(Command.of("echo", "through")).out()).isEqualTo("through\n");
      assertThat(jumpServer.acceptedConnections()).isEqualTo(1);
      assertThat(targetServer.acceptedConnections()).isEqualTo(1);
      // the target saw its client come from a socket that the jump server's processes hold, not from this JVM
      int clientPort = targetServer.acceptedClientPorts().get(0);
      assertThat(jumpServer.localTcpPorts()).contains(clientPort);
      assertThat(jumpServer.commandsExecuted()).isZero();
      assertThat(pool.connect(jump)).as("the jump host's connection is the pool's").isNotNull();
      assertThat(jumpServer.acceptedConnections()).isEqualTo(1);
    }
  }

  @Test
  void deadPeerBehindAJumpHost_isDetected_andTheJumpHostStaysUsable() throws Exception {
    try (OpenSshServer jumpServer = OpenSshServer.create().start();
        OpenSshServer targetServer = OpenSshServer.create().start();
        TransportPool pool = new TransportPool()) {
      Endpoint jump = endpoint(jumpServer, "jump");
      Endpoint target = endpoint(targetServer, "target").withVia(jump)
          .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMillis(500), 3);
      Transport tunnelled = pool.connect(target);
      CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(() -> {
        try {
          return tunnelled.exec(Command.of("sleep", "30"));
        } catch (TransportException e) {
          throw new RuntimeException(e);
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> targetServer.commandsExecuted() == 1);

      targetServer.pause();

      assertThatThrownBy(() -> running.get(6, TimeUnit.SECONDS))
          .cause().cause()
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("connection to target (" + tunnelled.describe() + ") lost (no keep-alive reply");
      assertThat(pool.connect(jump).exec(Command.of("echo", "jump alive")).out()).isEqualTo("jump alive\n");
    }
  }

  @Test
  void jumpHost_thatForbidsForwarding_isNamedInTheError() throws Exception {
    try (OpenSshServer jumpServer = OpenSshServer.create().with("AllowTcpForwarding", "no").start();
        OpenSshServer targetServer = OpenSshServer.create().start();
        TransportPool pool = new TransportPool()) {
      Endpoint target = endpoint(targetServer, "target").withVia(endpoint(jumpServer, "jump"));

      assertThatThrownBy(() -> pool.connect(target))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("jump host jump (ssh " + jumpServer.user() + "@127.0.0.1:" + jumpServer.port()
              + ") refused to forward to 127.0.0.1:" + targetServer.port() + " for host target")
          .hasMessageContaining("does its sshd allow TCP forwarding?");
      assertThat(targetServer.acceptedConnections()).isZero();
    }
  }

  @Test
  void closingTheTunnelledTransport_leavesTheJumpHostUsable() throws Exception {
    try (OpenSshServer jumpServer = OpenSshServer.create().start();
        OpenSshServer targetServer = OpenSshServer.create().start();
        TransportPool pool = new TransportPool()) {
      Endpoint jump = endpoint(jumpServer, "jump");
      Transport target = new SshTransportProvider().open(endpoint(targetServer, "target").withVia(jump), pool);

      target.close();

      assertThat(pool.connect(jump).exec(Command.of("echo", "still here")).out()).isEqualTo("still here\n");
    }
  }

  @Test
  void refusedPort_namesAddressAndHost() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      closedPort = s.getLocalPort();
    }
    Path key = generateKey(tmp.resolve("id"));
    Endpoint nowhere = Endpoint.ssh("nowhere", "127.0.0.1", closedPort, "root", key, tmp.resolve("kh"));

    assertThatThrownBy(() -> SshTransport.connect(nowhere, e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith("cannot connect to 127.0.0.1:" + closedPort + " (host nowhere): ")
        .hasMessageContaining("refused");
  }

  @Test
  void unreadableIdentity_isNamed() throws Exception {
    Path garbage = Files.writeString(tmp.resolve("garbage"), "not a key");
    Endpoint badKey = Endpoint.ssh("badkey", "127.0.0.1", 22, "root", garbage, tmp.resolve("kh"));

    assertThatThrownBy(() -> SshTransport.connect(badKey, e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith("cannot load SSH identity " + garbage + " of host badkey");
  }

  @Test
  void serverThatAcceptsButNeverAnswers_failsWithinTheConnectTimeout() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start()) {
      Endpoint frozen = endpoint(server, "mute").withTimeouts(Duration.ofMillis(1500), Duration.ofSeconds(60),
          Duration.ofSeconds(5), 3);
      server.pause();
      long started = System.nanoTime();

      // the kernel completes the TCP handshake for the frozen daemon; its version line never comes
      assertThatThrownBy(() -> SshTransport.connect(frozen, e -> null))
          .isInstanceOf(TransportException.class)
          .hasMessage("cannot connect to 127.0.0.1:" + server.port() + " (host mute): no SSH session within 1.5s");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void missingIdentity_isNamed() {
    Endpoint noKey = Endpoint.ssh("keyless", "127.0.0.1", 22, "root", tmp.resolve("no-such-key"),
        tmp.resolve("kh"));

    assertThatThrownBy(() -> SshTransport.connect(noKey, e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessage("SSH identity " + tmp.resolve("no-such-key") + " of host keyless does not exist or is not "
            + "readable");
  }

  @Test
  void unauthorizedKey_saysAuthenticationFailed() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start()) {
      Path stranger = generateKey(tmp.resolve("stranger"));
      Endpoint e = endpoint(server, "strict");
      Endpoint withStranger = Endpoint.ssh(e.host(), e.address(), e.port(), e.user(), stranger, e.knownHosts());

      assertThatThrownBy(() -> SshTransport.connect(withStranger, x -> null))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("public key authentication as " + server.user() + " with " + stranger + " failed");
    }
  }

  private static Path generateKey(Path file) throws Exception {
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.toString())
        .start();
    assertThat(keygen.waitFor()).isZero();
    return file;
  }

  @Test
  void connect_opensATcpStreamAsTheHostSeesIt_andNamesWhatRefused() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start();
        SshTransport ssh = SshTransport.connect(endpoint(server, "dns"), e -> null);
        ServerSocket upper = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
        try (var socket = upper.accept()) {
          byte[] line = socket.getInputStream().readNBytes(5);
          socket.getOutputStream().write(new String(line, US_ASCII)
              .toUpperCase(Locale.ROOT).getBytes(US_ASCII));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });

      try (var connection = ssh.connect("127.0.0.1", upper.getLocalPort())) {
        connection.output().write("hello".getBytes(US_ASCII));
        connection.output().flush();
        assertThat(new String(connection.input().readNBytes(5), US_ASCII))
            .isEqualTo("HELLO");
      }
      echo.get(10, TimeUnit.SECONDS);
      int closedPort;
      try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closedPort = closed.getLocalPort();
      }
      assertThatThrownBy(() -> ssh.connect("127.0.0.1", closedPort))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("refused to connect to 127.0.0.1:" + closedPort);
      assertThat(ssh.exec(Command.of("true")).ok()).as("a refused channel leaves the connection usable").isTrue();
    }
  }
}

package dev.converge.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.converge.driver.Command;
import dev.converge.driver.CommandTimeoutException;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.driver.TransportException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import dev.converge.testing.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Running commands over one shared connection to a real sshd. */
class SshTransportExecTest {

  @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();

  @TempDir static Path tmp;

  private static SshTransport ssh;

  @BeforeAll
  static void connect() throws Exception {
    ssh = SshTransport.connect(endpoint(sshd, "target"), e -> {
      throw new AssertionError("no jump host here");
    });
  }

  @AfterAll
  static void disconnect() {
    ssh.close();
  }

  static Endpoint endpoint(OpenSshServer server, String name) {
    Path knownHosts = server.writeKnownHosts(tmp.resolve("known_hosts-" + name + "-" + server.port()));
    return Endpoint.ssh(name, server.host(), server.port(), server.user(), server.clientKey(), knownHosts);
  }

  @Test
  void exec_returnsExitCodeStdoutAndStderr() throws Exception {
    ExecResult r = ssh.exec(Command.of("sh", "-c", "echo out; echo err >&2; exit 7"));

    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.out()).isEqualTo("out\n");
    assertThat(r.err()).isEqualTo("err\n");
  }

  @Test
  void exec_feedsStdinThenEndOfFile() throws Exception {
    ExecResult r = ssh.exec(Command.of("wc", "-c").withStdin("four"));

    assertThat(r.out().strip()).isEqualTo("4");
  }

  @Test
  void stream_passesDataOfAnySizeThroughTheCommand() throws Exception {
    byte[] data = new byte[24 * 1024 * 1024 + 17];
    new Random(6).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    ExecResult r = ssh.stream(Command.of("cat"), new ByteArrayInputStream(data), out);

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEmpty();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(data));
  }

  @Test
  void stream_aCommandThatStopsReadingEndsWithItsOwnStatus() throws Exception {
    ExecResult r = ssh.stream(Command.of("sh", "-c", "head -c 10 >/dev/null; echo gone >&2; exit 3"),
        new ByteArrayInputStream(new byte[8 * 1024 * 1024]), OutputStream.nullOutputStream());

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("gone\n");
  }

  @Test
  void stream_inputThatBreaksFailsTheCommand() {
    InputStream broken = new InputStream() {
      private int left = 100_000;

      @Override
      public int read() throws IOException {
        if (left == 0) {
          throw new IOException("source tar died");
        }
        left--;
        return 'x';
      }
    };

    assertThatThrownBy(() -> ssh.stream(Command.of("cat"), broken, OutputStream.nullOutputStream()))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("source tar died");
  }

  @Test
  void exec_deliversEveryArgumentIntact_noShellInjection() throws Exception {
    Path marker = tmp.resolve("injected");
    List<String> hostile = List.of("a b", "it's", "\"double\"", "$(touch " + marker + ")", "`touch " + marker + "`",
        "; touch " + marker, "line1\nline2", "*", "$HOME", "back\\slash", "", "-n", "tab\there", "ünïcødé");
    List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
    argv.addAll(hostile);

    ExecResult r = ssh.exec(Command.of(argv));

    StringBuilder expected = new StringBuilder();
    hostile.forEach(a -> expected.append('[').append(a).append("]\n"));
    assertThat(r.out()).isEqualTo(expected.toString());
    assertThat(marker).doesNotExist();
  }

  @Test
  void exec_reportsAMissingProgramAsExitStatus127() throws Exception {
    ExecResult r = ssh.exec(Command.of("no-such-program-converge"));

    assertThat(r.exitCode()).isEqualTo(127);
  }

  @Test
  void exec_reportsACommandKilledBySignalAs128PlusItsNumber() throws Exception {
    ExecResult r = ssh.exec(Command.of("sh", "-c", "kill -TERM $$"));

    assertThat(r.exitCode()).isEqualTo(128 + 15);
  }

  @Test
  void exec_drainsTenMegabytesOfStdoutWhileStderrAlsoFlows() throws Exception {
    // stdout and stderr share one channel window: reading only one of them would stall the command
    ExecResult r = ssh.exec(Command.of("sh", "-c",
        "head -c 10485760 /dev/zero | tr '\\0' x; head -c 3145728 /dev/zero | tr '\\0' y >&2"));

    assertThat(r.ok()).isTrue();
    assertThat(r.stdout()).hasSize(10 * 1024 * 1024);
    assertThat(countOf((byte) 'x', r.stdout())).isEqualTo(10 * 1024 * 1024);
    assertThat(r.stderr()).hasSize(3 * 1024 * 1024);
    assertThat(countOf((byte) 'y', r.stderr())).isEqualTo(3 * 1024 * 1024);
  }

  @Test
  void exec_streamsTenMegabytesOfStdinWhileTheCommandAnswers() throws Exception {
    byte[] input = new byte[10 * 1024 * 1024];
    new Random(42).nextBytes(input);

    // cat echoes while it reads: input and output windows must both keep moving
    ExecResult r = ssh.exec(Command.of("cat").withStdin(input));

    assertThat(r.ok()).isTrue();
    assertThat(sha256(r.stdout())).isEqualTo(sha256(input));
  }

  @Test
  void exec_ignoresInputTheCommandNeverReads_withoutStallingTheConnection() throws Exception {
    long started = System.nanoTime();

    // more than the server's 2 MB window: the writer is still waiting for window space when the command exits
    ExecResult r = ssh.exec(Command.of("true").withStdin(new byte[4 * 1024 * 1024]));

    assertThat(r.exitCode()).isZero();
    // a writer blocked inside sshj's stream used to hold up the channel's close for the 10 s connect timeout
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void exec_runsThirtyTwoCommandsInParallelOnOneConnection() throws Exception {
    try (OpenSshServer server = OpenSshServer.create().start();
        SshTransport transport = SshTransport.connect(endpoint(server, "busy"), e -> null)) {
      ExecutorService pool = Executors.newFixedThreadPool(32);
      try {
        List<Future<ExecResult>> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
          String n = Integer.toString(i);
          // each holds its session a while, so more than MaxSessions (10) would be open without the gate
          results.add(pool.submit(() -> transport.exec(Command.of("sh", "-c", "sleep 0.2; echo \"$1\"", "sh", n))));
        }
        for (int i = 0; i < 32; i++) {
          assertThat(results.get(i).get().out()).isEqualTo(i + "\n");
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(server.acceptedConnections()).isEqualTo(1);
      assertThat(server.commandsExecuted()).isEqualTo(32);
    }
  }

  @Test
  void exec_keepsUpWithSessionChurnAtTheServersLimit() throws Exception {
    // opens racing the server's cleanup of just-closed sessions are refused transiently, and retried
    try (OpenSshServer server = OpenSshServer.create().with("MaxSessions", "4").start();
        SshTransport transport = SshTransport.connect(endpoint(server, "churn").withMaxSessions(4), e -> null)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<ExecResult>> results = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          results.add(pool.submit(() -> transport.exec(Command.of("true"))));
        }
        for (Future<ExecResult> r : results) {
          assertThat(r.get().exitCode()).isZero();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(server.acceptedConnections()).isEqualTo(1);
    }
  }

  @Test
  void exec_timesOutAndTheRemoteCommandIsHungUp() throws Exception {
    Path pidFile = tmp.resolve("timed-out.pid");
    Command slow = Command.of("sh", "-c", "echo $$ > \"$1\"; sleep 300", "sh", pidFile.toString())
        .withTimeout(Duration.ofMillis(700));
    long started = System.nanoTime();

    assertThatThrownBy(() -> ssh.exec(slow))
        .isInstanceOf(CommandTimeoutException.class)
        .hasMessageContaining("sh (4 args) on ssh " + sshd.user() + "@127.0.0.1:" + sshd.port())
        .hasMessageContaining("did not finish within 0.7s; its process group was sent SIGHUP");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());
    assertThat(ssh.exec(Command.of("echo", "still usable")).out()).isEqualTo("still usable\n");
  }

  @Test
  void connect_withAnRsaIdentity() throws Exception {
    Path rsa = sshd.addClientKey("rsa");
    Endpoint ed25519 = endpoint(sshd, "rsa-user");
    Endpoint withRsa = Endpoint.ssh(ed25519.host(), ed25519.address(), ed25519.port(), ed25519.user(), rsa,
        ed25519.knownHosts());

    try (SshTransport t = SshTransport.connect(withRsa, e -> null)) {
      assertThat(t.exec(Command.of("echo", "rsa")).out()).isEqualTo("rsa\n");
    }
  }

  @Test
  void describe_namesUserAddressAndPort() {
    assertThat(ssh.describe()).isEqualTo("ssh " + sshd.user() + "@127.0.0.1:" + sshd.port());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static int countOf(byte b, byte[] bytes) {
    int n = 0;
    for (byte x : bytes) {
      n += x == b ? 1 : 0;
    }
    return n;
  }
}

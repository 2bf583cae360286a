package dev.converge.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.driver.Command;
import dev.converge.driver.CommandTimeoutException;
import dev.converge.driver.DriverRegistry;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.TransportException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTransportTest {

  private final LocalTransport transport = new LocalTransport();

  @TempDir Path dir;

  @AfterEach
  void close() {
    transport.close();
  }

  /* ------ exec ------ */

  @Test
  void exec_passesEveryArgumentVerbatimWithoutAShell() throws Exception {
    Path pwned = dir.resolve("pwned");
    List<String> tricky = List.of("a b", "it's", "\"q\"", "$(touch " + pwned + ")", "; touch " + pwned, "*", "-n", "");
    List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
    argv.addAll(tricky);

    ExecResult r = transport.exec(Command.of(argv));

    assertThat(r.exitCode()).isZero();
    assertThat(r.out().lines()).containsExactlyElementsOf(tricky.stream().map(a -> "[" + a + "]").toList());
    assertThat(pwned).doesNotExist();
  }

  @Test
  void exec_reportsExitStatusAndBothStreams() throws Exception {
    ExecResult r = transport.exec(Command.of("sh", "-c", "echo hello; echo oops >&2; exit 3"));

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.out()).isEqualTo("hello\n");
    assertThat(r.err()).isEqualTo("oops\n");
  }

  @Test
  void exec_writesStdinAndClosesIt() throws Exception {
    byte[] input = new byte[3 * 1024 * 1024 + 7];
    input[input.length - 1] = 'x';

    ExecResult r = transport.exec(Command.of("wc", "-c").withStdin(input));

    assertThat(r.out().strip()).isEqualTo(String.valueOf(input.length));
  }

  @Test
  void exec_withoutStdinGivesTheCommandAnImmediateEndOfFile() throws Exception {
    ExecResult r = transport.exec(Command.of("cat").withTimeout(Duration.ofSeconds(10)));

    assertThat(r.ok()).isTrue();
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void exec_drainsLargeOutputOnBothStreamsAtOnce() throws Exception {
    ExecResult r = transport.exec(Command.of("sh", "-c",
        "head -c 4000000 /dev/zero >&2; head -c 5000000 /dev/zero; head -c 1000000 /dev/zero >&2"));

    assertThat(r.stdout()).hasSize(5_000_000);
    assertThat(r.stderr()).hasSize(5_000_000);
  }

  @Test
  void exec_ofAMissingProgramExitsWith127LikeAShell() throws Exception {
    ExecResult r = transport.exec(Command.of("/nonexistent/converge-no-such-program", "x"));

    assertThat(r.exitCode()).isEqualTo(127);
    assertThat(r.err()).contains("/nonexistent/converge-no-such-program").contains("not found");
  }

  @Test
  void exec_pastItsTimeoutKillsTheCommandAndEveryChild() throws Exception {
    Path shellPid = dir.resolve("sh.pid");
    Path childPid = dir.resolve("child.pid");
    Command slow = Command.of("sh", "-c", "echo $$ > \"$1\"; sleep 300 & echo $! > \"$2\"; wait", "sh",
        shellPid.toString(), childPid.toString()).withTimeout(Duration.ofMillis(1500));

    assertThatThrownBy(() -> transport.exec(slow))
        .isInstanceOf(CommandTimeoutException.class)
        .hasMessageContaining("sh (5 args)")
        .hasMessageContaining("1500 ms");

    for (Path pidFile : List.of(shellPid, childPid)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(
              Optional.of(true)));
    }
  }

  @Test
  void exec_isSafeFromManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<String>> calls = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String word = "w" + i;
        calls.add(() -> transport.exec(Command.of("sh", "-c", "cat; printf %s \"$1\"", "sh", word)
            .withStdin(word + ":")).out());
      }
      List<Future<String>> results = pool.invokeAll(calls);
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get()).isEqualTo("w" + i + ":w" + i);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void exec_afterCloseIsRefused() {
    transport.close();

    assertThatThrownBy(() -> transport.exec(Command.of("true")))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("closed");
  }

  /* ------ read ------ */

  @Test
  void read_returnsTheBytesOfAFile() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[] {0, 1, 2, (byte) 0xff});

    assertThat(transport.read(file.toString())).hasValueSatisfying(b -> assertThat(b).containsExactly(0, 1, 2, 0xff));
  }

  @Test
  void read_ofAMissingFileIsEmpty() throws Exception {
    assertThat(transport.read(dir.resolve("missing").toString())).isEmpty();
  }

  @Test
  void read_ofADirectoryFailsClearly() {
    assertThatThrownBy(() -> transport.read(dir.toString()))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining(dir.toString());
  }

  /* ------ write ------ */

  @Test
  void write_createsTheFileWithContentAndMode() throws Exception {
    Path file = dir.resolve("new.conf");

    transport.write(file.toString(), "hello\n".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0640));

    assertThat(file).hasContent("hello");
    assertThat(mode(file)).isEqualTo(0640);
    assertThat(leftovers()).containsExactly(file);
  }

  @Test
  void write_replacesAnExistingFileByRenamingANewOneOverIt() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "old");
    Object inodeBefore = Files.getAttribute(file, "unix:ino");
    Path reader = Files.createLink(dir.resolve("hardlink-to-old"), file);

    transport.write(file.toString(), "new".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0600));

    assertThat(file).hasContent("new");
    assertThat(Files.getAttribute(file, "unix:ino")).isNotEqualTo(inodeBefore);
    assertThat(reader).as("the old inode is untouched: nobody saw a half-written file").hasContent("old");
    assertThat(mode(file)).isEqualTo(0600);
  }

  @Test
  void write_setsSetuidAndStickyBitsThatJavaNioCannotExpress() throws Exception {
    Path file = dir.resolve("tool");

    transport.write(file.toString(), new byte[] {1}, FileAttributes.mode(04755));

    assertThat(mode(file)).isEqualTo(04755);
  }

  @Test
  void write_setsOwnerAndGroupByName() throws Exception {
    assumeTrue(isRoot(), "changing owners needs root");
    Path file = dir.resolve("owned");

    transport.write(file.toString(), new byte[] {1},
        new FileAttributes(02750, Optional.of("daemon"), Optional.of("daemon")));

    assertThat(Files.getOwner(file).getName()).isEqualTo("daemon");
    assertThat(Files.getAttribute(file, "posix:group").toString()).isEqualTo("daemon");
    assertThat(mode(file)).as("setgid survives the chown").isEqualTo(02750);
  }

  @Test
  void write_withAnUnknownOwnerFailsAndLeavesNothingBehind() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "old");

    assertThatThrownBy(() -> transport.write(file.toString(), new byte[] {1},
        new FileAttributes(0644, Optional.of("no-such-user-x9"), Optional.empty())))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("no-such-user-x9")
        .hasMessageContaining(file.toString());

    assertThat(file).hasContent("old");
    assertThat(leftovers()).containsExactly(file);
  }

  @Test
  void write_intoAMissingDirectoryNamesIt() {
    Path missing = dir.resolve("no/such/dir");

    assertThatThrownBy(() -> transport.write(missing.resolve("f").toString(), new byte[0], FileAttributes.mode(0644)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("directory " + missing + " does not exist");
  }

  @Test
  void write_overADirectoryIsRefused() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));

    assertThatThrownBy(() -> transport.write(sub.toString(), new byte[0], FileAttributes.mode(0644)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("is a directory");
    assertThat(sub).isDirectory();
  }

  @Test
  void write_ofARelativePathIsRefused() {
    assertThatThrownBy(() -> transport.write("etc/motd", new byte[0], FileAttributes.mode(0644)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("not absolute");
  }

  /* ------ provider ------ */

  @Test
  void provider_isFoundByTheRegistryUnderSchemeLocal() throws Exception {
    DriverRegistry registry = DriverRegistry.load();

    assertThat(registry.schemes()).contains("local");
    try (var t = registry.transport("local").orElseThrow().open(Endpoint.local("mgmt"), e -> null)) {
      assertThat(t.describe()).isEqualTo("local");
      assertThat(t.exec(Command.of("true")).ok()).isTrue();
    }
  }

  @Test
  void provider_refusesAJumpHost() {
    Endpoint viaJump = Endpoint.local("mgmt").withVia(Endpoint.local("jump"));

    assertThatThrownBy(() -> new LocalTransportProvider().open(viaJump, e -> null))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("mgmt");
  }

  private List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.getFileName().toString().startsWith("hardlink")).toList();
    }
  }

  @Test
  void stream_passesDataOfAnySizeThroughTheCommand() throws Exception {
    byte[] data = new byte[24 * 1024 * 1024 + 17];
    new Random(6).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    ExecResult r = transport.stream(Command.of("cat"), new ByteArrayInputStream(data), out);

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEmpty();
    assertThat(out.toByteArray()).isEqualTo(data);
  }

  @Test
  void stream_aCommandThatStopsReadingEndsWithItsOwnStatus() throws Exception {
    ExecResult r = transport.stream(Command.of("sh", "-c", "head -c 10 >/dev/null; echo gone >&2; exit 3"),
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

    assertThatThrownBy(() -> transport.stream(Command.of("cat"), broken, OutputStream.nullOutputStream()))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("source tar died");
  }

  private static int mode(Path file) throws IOException {
    return (Integer) Files.getAttribute(file, "unix:mode") & 07777;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /* ------ connect ------ */

  @Test
  void connect_reachesALocalListener_andSaysWhenNothingListens() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      try (var connection = transport.connect("127.0.0.1", listener.getLocalPort());
          Socket accepted = listener.accept()) {
        connection.output().write(7);
        connection.output().flush();
        assertThat(accepted.getInputStream().read()).isEqualTo(7);
      }
    }
    int closedPort;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = closed.getLocalPort();
    }
    assertThatThrownBy(() -> transport.connect("127.0.0.1", closedPort))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith("local: cannot connect to 127.0.0.1:" + closedPort);
  }
}

package dev.converge.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.driver.Endpoint;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.TransportException;
import dev.converge.testing.OpenSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading and atomically replacing files through a real sshd. The server runs on this machine, so what the
 * transport wrote is checked directly on the local file system.
 */
class SshTransportFilesTest {

  @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();

  @TempDir static Path tmp;

  private static SshTransport ssh;

  @BeforeAll
  static void connect() throws Exception {
    Path knownHosts = sshd.writeKnownHosts(tmp.resolve("known_hosts"));
    ssh = SshTransport.connect(Endpoint.ssh("files", sshd.host(), sshd.port(), sshd.user(),
        sshd.clientKey(), knownHosts), e -> null);
  }

  @AfterAll
  static void disconnect() {
    ssh.close();
  }

  @Test
  void read_returnsTheBytesOfAnExistingFile() throws Exception {
    byte[] content = {0, 1, 2, (byte) 0xff, '\n', 'x'};
    Path file = Files.write(tmp.resolve("binary"), content);

    assertThat(ssh.read(file.toString())).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
  }

  @Test
  void read_returnsEmptyForAMissingFileOrADanglingLink() throws Exception {
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));

    assertThat(ssh.read(tmp.resolve("missing").toString())).isEmpty();
    assertThat(ssh.read(dangling.toString())).isEmpty();
  }

  @Test
  void read_failsOnADirectory() {
    assertThatThrownBy(() -> ssh.read(tmp.toString()))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("cannot read " + tmp)
        .hasMessageContaining("Is a directory");
  }

  @Test
  void read_andWrite_takePathsWithQuotesSpacesAndDollarsLiterally() throws Exception {
    Path odd = Files.createDirectories(tmp.resolve("it's a $(dir)"));
    String path = odd.resolve("file with \"quotes\" and `ticks`").toString();

    ssh.write(path, "odd".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0644));

    assertThat(ssh.read(path)).map(SshTransportFilesTest::utf8).hasValue("odd");
    assertThat(Files.list(odd).map(p -> p.getFileName().toString())).containsExactly(
        "file with \"quotes\" and `ticks`");
  }

  @Test
  void write_createsTheFileWithContentAndMode() throws Exception {
    Path file = tmp.resolve("secret.conf");

    ssh.write(file.toString(), "token=1\n".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0600));

    assertThat(Files.readString(file)).isEqualTo("token=1\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void write_replacesAnExistingFileAndItsMode() throws Exception {
    Path file = Files.writeString(tmp.resolve("replaced"), "old content that is longer");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

    ssh.write(file.toString(), "new".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0640));

    assertThat(Files.readString(file)).isEqualTo("new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
  }

  @Test
  void write_emptyContent() throws Exception {
    Path file = tmp.resolve("empty");

    ssh.write(file.toString(), new byte[0], FileAttributes.mode(0644));

    assertThat(file).exists().isEmptyFile();
  }

  @Test
  void write_setsOwnerAndGroup_whenRunningAsRoot() throws Exception {
    assumeTrue(sshd.user().equals("root"), "chown needs root");
    Path file = tmp.resolve("owned");

    ssh.write(file.toString(), "x".getBytes(StandardCharsets.UTF_8),
        new FileAttributes(0644, Optional.of("nobody"), Optional.of("nogroup")));

    PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
    assertThat(attributes.owner().getName()).isEqualTo("nobody");
    assertThat(attributes.group().getName()).isEqualTo("nogroup");
  }

  @Test
  void write_setsTheGroupAlone() throws Exception {
    assumeTrue(sshd.user().equals("root"), "chgrp to another group needs root");
    Path file = tmp.resolve("grouped");

    ssh.write(file.toString(), "x".getBytes(StandardCharsets.UTF_8),
        new FileAttributes(0640, Optional.empty(), Optional.of("nogroup")));

    PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
    assertThat(attributes.owner().getName()).isEqualTo("root");
    assertThat(attributes.group().getName()).isEqualTo("nogroup");
  }

  @Test
  void write_failsClearlyWhenTheDirectoryDoesNotExist() {
    Path missingDir = tmp.resolve("no-such-dir");

    assertThatThrownBy(() -> ssh.write(missingDir.resolve("f").toString(), new byte[1], FileAttributes.mode(0644)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("cannot write " + missingDir.resolve("f"))
        .hasMessageContaining("directory " + missingDir + " does not exist");
    assertThat(missingDir).doesNotExist();
  }

  @Test
  void write_refusesToMoveIntoAnExistingDirectory() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("a-dir"));

    assertThatThrownBy(() -> ssh.write(dir.toString(), new byte[1], FileAttributes.mode(0644)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining(dir + " is a directory");
    assertThat(Files.list(dir)).isEmpty();
  }

  @Test
  void write_failingChownLeavesTheTargetAndNoTemporaryFile() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("bad-owner"));
    Path file = Files.writeString(dir.resolve("f"), "before");

    assertThatThrownBy(() -> ssh.write(file.toString(), "after".getBytes(StandardCharsets.UTF_8),
        new FileAttributes(0644, Optional.of("no-such-user-converge"), Optional.empty())))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("no-such-user-converge");

    assertThat(Files.readString(file)).isEqualTo("before");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("f");
  }

  @Test
  void write_isAtomic_aConcurrentReaderSeesOnlyTheOldOrTheNewContent() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("atomic"));
    Path file = dir.resolve("big");
    byte[] a = filled(4 * 1024 * 1024, 'a');
    byte[] b = filled(4 * 1024 * 1024 + 1, 'b');
    Files.write(file, a);
    AtomicBoolean writing = new AtomicBoolean(true);
    Set<String> seen = new HashSet<>();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      while (writing.get()) {
        try {
          byte[] now = Files.readAllBytes(file);
          seen.add(Arrays.equals(now, a) ? "a" : Arrays.equals(now, b) ? "b" : "torn:" + now.length);
        } catch (IOException e) {
          seen.add("unreadable: " + e);
        }
      }
    });

    for (int i = 0; i < 6; i++) {
      ssh.write(file.toString(), i % 2 == 0 ? b : a, FileAttributes.mode(0644));
    }
    writing.set(false);
    reader.join();

    assertThat(seen).containsAnyOf("a", "b").allMatch(s -> s.equals("a") || s.equals("b"));
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("big");
  }

  @Test
  void write_neverExposesContentWithLooserPermissions() throws Exception {
    // the temporary file is created 0600 and only then filled: watch the directory while a large write runs
    Path dir = Files.createDirectories(tmp.resolve("private"));
    AtomicBoolean writing = new AtomicBoolean(true);
    Set<String> modes = new HashSet<>();
    CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
      while (writing.get()) {
        try (var files = Files.list(dir)) {
          files.forEach(p -> {
            try {
              modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            } catch (IOException e) {
              // renamed or removed between list and stat
            }
          });
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });

    ssh.write(dir.resolve("key").toString(), filled(8 * 1024 * 1024, 'k'), FileAttributes.mode(0600));
    writing.set(false);
    watcher.join();

    assertThat(modes).containsOnly("rw-------");
  }

  @Test
  void write_rejectsRelativePaths() {
    assertThatThrownBy(() -> ssh.write("etc/motd", new byte[0], FileAttributes.mode(0644)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an absolute file path: etc/motd");
  }

  private static byte[] filled(int size, char c) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) c);
    return bytes;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

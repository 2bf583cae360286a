package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Transport;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.FieldChange;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.CountingTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the file driver does, against a real transport. Subclasses supply the transport; it must reach this machine's
 * file system (the local transport, or SSH to 127.0.0.1), because the tests prepare and check files with java.nio
 * in a temporary directory. Owner tests need root and the {@code daemon} user and group (Debian and FreeBSD have
 * both).
 */
abstract class FileDriverBehaviour {

  private static final String HOST = "testhost";

  @TempDir Path dir;

  private final FileDriver driver = new FileDriver();
  private CountingTransport transport;
  private TestTarget target;

  /** A fresh transport for one test; closed after it. */
  protected abstract Transport openTransport() throws Exception;

  @BeforeEach
  void open() throws Exception {
    transport = new CountingTransport(openTransport());
    target = new TestTarget(HOST, "linux", transport);
  }

  @AfterEach
  void close() {
    transport.close();
  }

  /* ------ probe ------ */

  @Test
  void probe_ofManyFilesInSyncIsOneExec() throws Exception {
    List<Resource> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Path f = write(String.format("f%03d.conf", i), "line " + i + "\n", "rw-r-----");
      batch.add(file(f, "line " + i + "\n", "0640"));
    }

    List<Observation> seen = driver.probe(target, batch);

    assertThat(transport.execs()).isEqualTo(1);
    assertThat(transport.writes()).isZero();
    assertThat(seen).hasSize(200);
    for (int i = 0; i < 200; i++) {
      assertThat(seen.get(i).id()).isEqualTo(batch.get(i).id());
      assertThat(seen.get(i).actual()).contains(batch.get(i).properties());
    }
  }

  @Test
  void probe_fetchesTheContentOfDifferingFilesInOneMoreExec() throws Exception {
    List<Resource> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String actual = i % 40 == 7 ? "drifted " + i + "\n" : "line " + i + "\n";
      batch.add(file(write(String.format("f%03d", i), actual, "rw-r--r--"), "line " + i + "\n", "0644"));
    }

    List<Observation> seen = driver.probe(target, batch);

    assertThat(transport.execs()).isEqualTo(2);
    for (int i = 0; i < 200; i++) {
      Object content = seen.get(i).actual().orElseThrow().get(FileDriver.CONTENT).orElseThrow();
      assertThat(content).isEqualTo(i % 40 == 7 ? "drifted " + i + "\n" : "line " + i + "\n");
    }
  }

  @Test
  void probe_reportsMissingFilesAsAbsent() throws Exception {
    Resource missing = file(dir.resolve("missing"), "x", "0644");

    assertThat(driver.probe(target, List.of(missing))).containsExactly(Observation.absent(missing.id()));
  }

  @Test
  void probe_ofAnEmptyBatchDoesNothing() throws Exception {
    assertThat(driver.probe(target, List.of())).isEmpty();
    assertThat(transport.execs()).isZero();
  }

  @Test
  void probe_splitsHugeBatchesToRespectArgMax() throws Exception {
    List<Resource> batch = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      batch.add(file(dir.resolve("absent-" + i), "x", "0644"));
    }

    List<Observation> seen = driver.probe(target, batch);

    assertThat(transport.execs()).isEqualTo(3);
    assertThat(seen).hasSize(2500).allMatch(o -> !o.isPresent());
  }

  @Test
  void probe_treatsPathsAsDataWhateverCharactersTheyHold() throws Exception {
    List<String> names = List.of("sp ace", "quo'te", "dq\"uote", "$(touch pwned)", "semi;colon", "star*", "-dash",
        "back\\slash", "ünïcödé", "`tick`");
    List<Resource> batch = new ArrayList<>();
    for (String name : names) {
      batch.add(file(write(name, name, "rw-r--r--"), name, "0644"));
    }

    List<Observation> seen = driver.probe(target, batch);

    for (int i = 0; i < names.size(); i++) {
      assertThat(seen.get(i).actual()).contains(batch.get(i).properties());
    }
    assertThat(dir.resolve("pwned")).doesNotExist();
  }

  @Test
  void probe_showsBinaryContentAsAPlaceholder() throws Exception {
    Path f = Files.write(dir.resolve("blob"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    String sha = DesiredFile.sha256(Files.readAllBytes(f));

    Observation seen = probe(file(f, "text", "0644"));

    assertThat(seen.actual().orElseThrow().get(FileDriver.CONTENT))
        .contains("(binary, 3 B, sha256 " + sha.substring(0, 12) + "…)");
  }

  @Test
  void probe_neverTransfersFilesOverOneMebibyte() throws Exception {
    Path f = Files.write(dir.resolve("big"), "a".repeat(2 * 1024 * 1024).getBytes(StandardCharsets.UTF_8));
    String sha = DesiredFile.sha256(Files.readAllBytes(f));

    Observation seen = probe(file(f, "small", "0644"));

    assertThat(transport.execs()).isEqualTo(1);
    assertThat(seen.actual().orElseThrow().get(FileDriver.CONTENT))
        .contains("(too large to show, 2.0 MiB, sha256 " + sha.substring(0, 12) + "…)");
  }

  @Test
  void probe_reportsOwnerAndGroupOnlyWhenTheSpecManagesThem() throws Exception {
    Path f = write("f", "x", "rw-r--r--");
    String user = Files.getOwner(f).getName();

    Properties unmanaged = probe(file(f, "x", "0644")).actual().orElseThrow();
    Properties byName = probe(resource(f, Map.of("owner", user))).actual().orElseThrow();
    Properties byNumber = probe(resource(f, Map.of("owner", uid(f), "group", gid(f)))).actual().orElseThrow();

    assertThat(unmanaged.fields()).containsExactly("content", "mode", "type");
    assertThat(byName.asMap()).containsExactly(Map.entry("owner", user));
    assertThat(byNumber.asMap()).containsOnly(Map.entry("owner", uid(f)), Map.entry("group", gid(f)));
  }

  @Test
  void probe_seesADirectoryWhereAFileShouldBe() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));

    Properties seen = probe(file(sub, "x", "0644")).actual().orElseThrow();

    assertThat(seen.string(FileDriver.TYPE)).contains("directory");
    assertThat(seen.fields()).doesNotContain(FileDriver.CONTENT);
  }

  @Test
  void probe_ofAFifoReportsItWithoutReadingIt() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertThat(transport.exec(Command.of("mkfifo", fifo.toString())).ok()).isTrue();

    Properties seen = probe(file(fifo, "x", "0644")).actual().orElseThrow();

    assertThat(seen.string(FileDriver.TYPE)).contains("fifo");
  }

  @Test
  void probe_neverFetchesOrRevealsContentWhenTheDesiredIsSensitive() throws Exception {
    Path f = write("secret", "old-secret-1234", "rw-------");
    Resource wanted = resource(f, Map.of("type", "file", "content", new Sensitive("new-secret-5678"), "mode", "0600"));

    Observation seen = probe(wanted);

    assertThat(transport.execs()).as("the old secret is not fetched").isEqualTo(1);
    Object content = seen.actual().orElseThrow().get(FileDriver.CONTENT).orElseThrow();
    assertThat(content).isInstanceOf(Sensitive.class).isNotEqualTo(new Sensitive("new-secret-5678"));
    assertThat(seen.toString()).doesNotContain("secret-");
  }

  @Test
  void probe_ofASensitiveFileInSyncEqualsTheDesired() throws Exception {
    Path f = write("secret", "s3cret", "rw-------");
    Resource wanted = resource(f, Map.of("type", "file", "content", new Sensitive("s3cret"), "mode", "0600"));

    assertThat(probe(wanted).actual()).contains(wanted.properties());
  }

  @Test
  void probe_ofAFileThatShouldBeAbsentReportsOnlyItsType() throws Exception {
    Path f = write("f", "x", "rw-r--r--");

    Observation seen = driver.probe(target, List.of(absent(f))).get(0);

    assertThat(seen.actual()).contains(Properties.of(Map.of("type", "file")));
  }

  @Test
  void probe_refusesAnUnsupportedPlatform() {
    TestTarget windows = new TestTarget(HOST, "windows", transport);

    assertThatThrownBy(() -> driver.probe(windows, List.of(file(dir.resolve("f"), "x", "0644"))))
        .isInstanceOf(ProbeException.class)
        .hasMessageContaining("windows")
        .hasMessageContaining("linux or freebsd");
  }

  @Test
  void probe_refusesAnInvalidDesiredProperty() {
    Resource bad = resource(dir.resolve("f"), Map.of("mode", "644"));

    assertThatThrownBy(() -> driver.probe(target, List.of(bad)))
        .isInstanceOf(ProbeException.class)
        .hasMessageContaining(bad.id().toString())
        .hasMessageContaining("four octal digits");
  }

  /* ------ apply ------ */

  @Test
  void apply_createsAMissingFileAndItsParentDirectories() throws Exception {
    Path f = dir.resolve("a/b/c.conf");
    Resource wanted = file(f, "hello\n", "0600");

    Observation after = converge(wanted);

    assertThat(f).hasContent("hello");
    assertThat(mode(f)).isEqualTo(0600);
    assertThat(mode(f.getParent())).isEqualTo(0755);
    assertThat(after.actual()).contains(wanted.properties());
  }

  @Test
  void apply_createsAFileInAnExistingDirectoryWithOneWriteAndNoExec() throws Exception {
    Path f = dir.resolve("new.conf");
    Resource wanted = file(f, "x = 1\n", "0644");
    Observation before = probe(wanted);
    transport.reset();

    driver.apply(target, changeFor(wanted, before));

    assertThat(transport.execs()).isZero();
    assertThat(transport.writes()).isEqualTo(1);
    assertThat(f).hasContent("x = 1");
  }

  @Test
  void apply_replacesDifferingContent() throws Exception {
    Path f = write("f", "old\n", "rw-r--r--");
    Resource wanted = resource(f, Map.of("type", "file", "content", "new\n", "mode", "0644", "owner", user(f),
        "group", group(f)));
    Observation before = probe(wanted);
    transport.reset();

    driver.apply(target, changeFor(wanted, before));

    assertThat(transport.execs()).as("everything is managed: nothing to look up first").isZero();
    assertThat(transport.writes()).isEqualTo(1);
    assertThat(f).hasContent("new");
    assertThat(probe(wanted).actual()).contains(wanted.properties());
  }

  @Test
  void apply_changesOnlyTheModeInPlaceWithOneExec() throws Exception {
    Path f = write("f", "same\n", "rw-------");
    Object inode = Files.getAttribute(f, "unix:ino");
    Resource wanted = file(f, "same\n", "0644");
    Observation before = probe(wanted);
    transport.reset();

    driver.apply(target, changeFor(wanted, before));

    assertThat(transport.execs()).isEqualTo(1);
    assertThat(transport.writes()).isZero();
    assertThat(Files.getAttribute(f, "unix:ino")).isEqualTo(inode);
    assertThat(f).hasContent("same");
    assertThat(mode(f)).isEqualTo(0644);
  }

  @Test
  void apply_changesOwnerAndGroupInPlace() throws Exception {
    assumeTrue(isRoot(), "changing owners needs root");
    Path f = write("f", "x", "rw-r--r--");
    Object inode = Files.getAttribute(f, "unix:ino");
    Resource wanted = resource(f, Map.of("type", "file", "content", "x", "mode", "0644", "owner", "daemon",
        "group", "daemon"));

    Observation after = converge(wanted);

    assertThat(Files.getOwner(f).getName()).isEqualTo("daemon");
    assertThat(Files.getAttribute(f, "posix:group").toString()).isEqualTo("daemon");
    assertThat(Files.getAttribute(f, "unix:ino")).isEqualTo(inode);
    assertThat(after.actual()).contains(wanted.properties());
  }

  @Test
  void apply_keepsSetuidAcrossAnOwnerChange() throws Exception {
    assumeTrue(isRoot(), "changing owners needs root");
    Path f = write("tool", "#!/bin/sh\n", "rwxr-xr-x");
    assertThat(transport.exec(Command.of("chmod", "4755", f.toString())).ok()).isTrue();
    Resource wanted = resource(f, Map.of("type", "file", "content", "#!/bin/sh\n", "mode", "4755", "owner",
        "daemon"));

    Observation after = converge(wanted);

    assertThat(mode(f)).isEqualTo(04755);
    assertThat(after.actual()).contains(wanted.properties());
  }

  @Test
  void apply_rewritingContentKeepsTheOwnerGroupAndModeItDoesNotManage() throws Exception {
    assumeTrue(isRoot(), "changing owners needs root");
    Path f = write("f", "old", "rw-------");
    assertThat(transport.exec(Command.of("chown", "daemon:daemon", f.toString())).ok()).isTrue();
    Resource wanted = resource(f, Map.of("type", "file", "content", "new"));

    converge(wanted);

    assertThat(f).hasContent("new");
    assertThat(Files.getOwner(f).getName()).isEqualTo("daemon");
    assertThat(Files.getAttribute(f, "posix:group").toString()).isEqualTo("daemon");
    assertThat(mode(f)).isEqualTo(0600);
  }

  @Test
  void apply_createsAFileWithoutManagedContentEmpty() throws Exception {
    Path f = dir.resolve("marker");

    converge(resource(f, Map.of("type", "file", "mode", "0640")));

    assertThat(f).isEmptyFile();
    assertThat(mode(f)).isEqualTo(0640);
  }

  @Test
  void apply_deletesAFileAndDeletingAgainIsHarmless() throws Exception {
    Path f = write("f", "x", "rw-r--r--");
    Resource gone = absent(f);

    driver.apply(target, changeFor(gone, probe(gone)));
    assertThat(f).doesNotExist();

    Observation now = probe(gone);
    assertThat(now.isPresent()).isFalse();
    driver.apply(target, new Change(ChangeType.DELETE, gone, now, List.of(), Optional.empty(), Optional.empty()));
  }

  @Test
  void apply_refusesToReplaceADirectory() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Files.writeString(sub.resolve("inside"), "keep");
    Resource wanted = file(sub, "x", "0644");
    Observation seen = probe(wanted);

    assertThatThrownBy(() -> driver.apply(target, changeFor(wanted, seen)))
        .isInstanceOf(ActionException.class)
        .hasMessage(sub + " on " + HOST + " is a directory; converge will not replace it");
    assertThat(sub.resolve("inside")).hasContent("keep");
  }

  @Test
  void apply_refusesToDeleteADirectory() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Resource gone = absent(sub);
    Observation seen = probe(gone);

    assertThatThrownBy(() -> driver.apply(target, changeFor(gone, seen)))
        .isInstanceOf(ActionException.class)
        .hasMessage(sub + " on " + HOST + " is a directory; converge will not delete it");
    assertThat(sub).isDirectory();
  }

  @Test
  void apply_refusesToReplaceASymlinkAndLeavesItsTargetAlone() throws Exception {
    Path real = write("real", "precious", "rw-r--r--");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Resource wanted = file(link, "x", "0644");
    Observation seen = probe(wanted);

    assertThatThrownBy(() -> driver.apply(target, changeFor(wanted, seen)))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("is a symlink");
    assertThat(real).hasContent("precious");
  }

  @Test
  void apply_isIdempotent() throws Exception {
    Path f = dir.resolve("etc/app.conf");
    Resource wanted = file(f, "a = 1\n", "0640");
    Observation before = probe(wanted);
    Change change = changeFor(wanted, before);

    driver.apply(target, change);
    driver.apply(target, change);

    assertThat(probe(wanted).actual()).contains(wanted.properties());
    assertThat(f).hasContent("a = 1");
  }

  @Test
  void apply_writesSensitiveContentAndThenSeesItInSync() throws Exception {
    Path f = write("key", "old-secret-1234", "rw-------");
    Resource wanted = resource(f, Map.of("type", "file", "content", new Sensitive("new-secret-5678"), "mode", "0600"));

    Observation after = converge(wanted);

    assertThat(f).hasContent("new-secret-5678");
    assertThat(after.actual()).contains(wanted.properties());
    assertThat(after.toString()).doesNotContain("secret-");
  }

  @Test
  void apply_failureNamesPathAndHostButNeverTheSecret() throws Exception {
    Path f = dir.resolve("key");
    Resource wanted = resource(f, Map.of("type", "file", "content", new Sensitive("new-secret-5678"), "mode", "0600",
        "owner", "no-such-user-x9"));
    Observation seen = probe(wanted);

    Throwable thrown = catchThrowable(() -> driver.apply(target,
        changeFor(wanted, seen)));

    assertThat(thrown).isInstanceOf(ActionException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining(HOST)
        .hasMessageContaining("no-such-user-x9");
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain("secret-");
    }
    assertThat(f).doesNotExist();
  }

  /* ------ helpers ------ */

  /** Probe, apply whatever differs, probe again: one round of what the engine does. */
  private Observation converge(Resource wanted) throws Exception {
    Observation before = probe(wanted);
    if (!before.actual().equals(Optional.of(wanted.properties()))) {
      driver.apply(target, changeFor(wanted, before));
    }
    return probe(wanted);
  }

  private Observation probe(Resource r) throws ProbeException {
    return driver.probe(target, List.of(r)).get(0);
  }

  /** The change the engine's diff would hand over: every field whose observed value differs from the desired. */
  private static Change changeFor(Resource desired, Observation observed) {
    ChangeType type = !desired.isPresent() ? ChangeType.DELETE
        : observed.isPresent() ? ChangeType.UPDATE : ChangeType.CREATE;
    Map<String, Object> before = observed.actual().<Map<String, Object>>map(Properties::asMap).orElse(Map.of());
    Map<String, Object> after = desired.properties().asMap();
    List<FieldChange> fields = new ArrayList<>();
    for (String field : new TreeSet<>(type == ChangeType.DELETE ? before.keySet() : after.keySet())) {
      if (!Objects.equals(before.get(field), after.get(field))) {
        fields.add(new FieldChange(field, Optional.ofNullable(before.get(field)),
            Optional.ofNullable(after.get(field))));
      }
    }
    return new Change(type, desired, observed, fields, Optional.empty(), Optional.empty());
  }

  private static Resource file(Path path, String content, String mode) {
    return resource(path, Map.of("type", "file", "content", content, "mode", mode));
  }

  private static Resource resource(Path path, Map<String, ?> properties) {
    return Resource.present(id(path), Properties.of(new HashMap<>(properties)), Location.unknown());
  }

  private static Resource absent(Path path) {
    return Resource.absent(id(path), Location.unknown());
  }

  private static ResourceId id(Path path) {
    return ResourceId.of(FileDriver.KIND, HOST, path.toString());
  }

  private Path write(String name, String content, String permissions) throws IOException {
    Path f = Files.writeString(dir.resolve(name), content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
    return f;
  }

  private static int mode(Path f) throws IOException {
    return (Integer) Files.getAttribute(f, "unix:mode") & 07777;
  }

  private static String user(Path f) throws IOException {
    return Files.getOwner(f).getName();
  }

  private static String group(Path f) throws IOException {
    return Files.getAttribute(f, "posix:group").toString();
  }

  private static String uid(Path f) throws IOException {
    return Files.getAttribute(f, "unix:uid").toString();
  }

  private static String gid(Path f) throws IOException {
    return Files.getAttribute(f, "unix:gid").toString();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}

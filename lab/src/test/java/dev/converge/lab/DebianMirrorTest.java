package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.spec.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's Debian mirror, filled for real (root and deb.debian.org, as on CI) under a temporary root: bookworm
 * minbase plus {@code hello}, proven by a debootstrap from it. Every command the mirror runs goes through a runner
 * that records it, so that "runs nothing" is observed, not timed. The first tests need neither root nor the network.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianMirrorTest {

  private static final String SUITE = "bookworm";

  @TempDir static Path root;
  private static final List<List<String>> commands = Collections.synchronizedList(new ArrayList<>());
  private static final DebianMirror mirror = new DebianMirror(Path.of("/nonexistent"), (argv, dir, timeout) -> {
    throw new AssertionError("not a test of commands");
  });
  private static Path chroot;

  private static DebianMirror recording(Path mirrorRoot) {
    return new DebianMirror(mirrorRoot, (argv, dir, timeout) -> {
      commands.add(argv);
      return DebianMirror.PROCESSES.run(argv, dir, timeout);
    });
  }

  private static DebianMirror refusingCommands(Path mirrorRoot) {
    return new DebianMirror(mirrorRoot, (argv, dir, timeout) -> {
      throw new AssertionError("ran " + argv);
    });
  }

  @AfterAll
  static void removeChroot() {
    if (chroot != null) {
      assertThat(Procfs.mountPointsUnder(chroot)).as("debootstrap left no mount in its root").isEmpty();
      Teardown.deleteDirectory(chroot);
    }
  }

  @Test
  @Order(1)
  void aSetPreparedBefore_costsOneFileRead_whateverTheOrderOrRepeatsOfItsPackages(@TempDir Path other)
      throws IOException {
    Files.createDirectories(other.resolve(SUITE));
    Files.writeString(other.resolve(SUITE).resolve(DebianMirror.PREPARED), "minbase\nminbase bind9,hello\n");
    DebianMirror m = refusingCommands(other);
    List<String> said = new ArrayList<>();

    m.ensure(SUITE, "minbase", List.of("hello", "bind9", "hello"), said::add);
    m.ensure(SUITE, "minbase", List.of(), said::add);

    assertThat(said).isEmpty();
    assertThat(Files.exists(other.resolve(".lock"))).as("not even the lock was taken").isFalse();
  }

  @Test
  @Order(1)
  void namesThatCannotNameAMirrorOrAPackage_areRefused() {
    assertThatThrownBy(() -> mirror.ensure("../etc", "minbase", List.of(), s -> { }))
        .isInstanceOf(LabException.class).hasMessageContaining("Debian suite `../etc`");
    assertThatThrownBy(() -> mirror.ensure(SUITE, "minbase", List.of("hello world"), s -> { }))
        .isInstanceOf(LabException.class).hasMessageContaining("`hello world` is not a Debian package name");
    assertThatThrownBy(() -> mirror.ensure(SUITE, "min base", List.of(), s -> { }))
        .isInstanceOf(LabException.class).hasMessageContaining("variant `min base`");
  }

  @Test
  @Order(1)
  void theLab_preparesTheMirrorsItsDebootstrapImagesName_andLeavesOtherImagesAlone(@TempDir Path other)
      throws IOException {
    DebianMirror m = refusingCommands(other.resolve("mirrors"));
    Files.createDirectories(other.resolve("mirrors").resolve(SUITE));
    Files.writeString(other.resolve("mirrors").resolve(SUITE).resolve(DebianMirror.PREPARED), "minbase bind9\n");
    String ours = m.url(SUITE);
    assertThat(ours).isEqualTo("file://" + other.resolve("mirrors").resolve(SUITE));
    Spec spec = LabSpecs.load(other, """
        site: mirrors
        images:
          bind: { debootstrap: { suite: bookworm, mirror: "%s", packages: [bind9] } }
          slash: { debootstrap: { suite: bookworm, mirror: "%s/", packages: [bind9] } }
          upstream: { debootstrap: { suite: bookworm, packages: [curl] } }
          elsewhere: { debootstrap: { suite: bookworm, mirror: "file:///srv/debian", packages: [curl] } }
          othersuite: { debootstrap: { suite: trixie, mirror: "%s", packages: [curl] } }
          bb: { tarball: { url: "http://127.0.0.1:1/bb.tar.gz", sha256: "%s" } }
        hosts:
          h1: { address: 192.0.2.1 }
        """.formatted(ours, ours, ours, "0".repeat(64)));
    Lab lab = Lab.of(spec, other.resolve(".converge"));
    List<String> said = new ArrayList<>();

    lab.prepareMirrors(m, said::add);
    assertThat(said).as("bind9 was prepared; the other images' mirrors are not the lab's").isEmpty();

    Files.writeString(other.resolve("mirrors").resolve(SUITE).resolve(DebianMirror.PREPARED), "minbase\n");
    assertThatThrownBy(() -> lab.prepareMirrors(m, line -> {
      said.add(line);
      throw new IllegalStateException("stop");
    })).hasMessage("stop");
    assertThat(said).containsExactly("preparing the lab's Debian mirror for bookworm minbase + bind9"
        + " (debootstrap --print-debs, apt-get download)");
  }

  @Test
  @Order(2)
  void aSet_isFilledFromDebDebianOrg_withItsExtraPackageIndexed() throws IOException {
    assumeTrue(Prerequisites.isRoot(), "filling a mirror needs root");
    List<String> said = new ArrayList<>();

    long start = System.nanoTime();
    recording(root).ensure(SUITE, "minbase", List.of("hello"), said::add);
    double took = (System.nanoTime() - start) / 1e9;

    Path dir = root.resolve(SUITE);
    String arch = DebianMirror.PROCESSES.run(List.of("dpkg", "--print-architecture"), root, Duration.ofSeconds(10))
        .out().strip();
    Path binary = dir.resolve("dists/bookworm/main/binary-" + arch);
    String packages = Files.readString(binary.resolve("Packages"));
    assertThat(packages).contains("\nPackage: hello\n", "Filename: pool/main/hello_");
    assertThat(packages).startsWith("Package: ");
    assertThat(packages.lines().filter(l -> l.startsWith("Package: ")).count()).as("minbase and hello")
        .isGreaterThan(80);
    try (InputStream gz = new GZIPInputStream(Files.newInputStream(binary.resolve("Packages.gz")))) {
      assertThat(new String(gz.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(packages);
    }
    assertThat(Files.readString(dir.resolve("dists/bookworm/Release")))
        .contains("Suite: bookworm", "Codename: bookworm", "Components: main", "Architectures: " + arch,
            "main/binary-" + arch + "/Packages");
    assertThat(Files.readString(dir.resolve(DebianMirror.PREPARED))).isEqualTo("minbase hello\n");
    assertThat(said).containsExactly("preparing the lab's Debian mirror for bookworm minbase + hello"
        + " (debootstrap --print-debs, apt-get download)");
    assertThat(commands).extracting(c -> Path.of(c.get(0)).getFileName().toString() + " " + c.get(1))
        .contains("debootstrap --print-debs", "apt-get download", "dpkg-scanpackages -m", "apt-ftparchive -o");
    assertThat(workDirectories()).as("no work directory stays").isEmpty();
    System.out.printf("lab Debian mirror (bookworm minbase + hello): filled in %.1f s, %d packages, %.0f MB%n",
        took, packages.lines().filter(l -> l.startsWith("Package: ")).count(), size(dir.resolve("pool")) / 1e6);
  }

  @Test
  @Order(3)
  void theSameSetAgain_runsNoCommand_andTouchesNothing() throws IOException {
    assumeTrue(Prerequisites.isRoot(), "filling a mirror needs root");
    Path dir = root.resolve(SUITE);
    Map<Path, FileTime> before = modificationTimes(dir);
    commands.clear();
    List<String> said = new ArrayList<>();

    recording(root).ensure(SUITE, "minbase", List.of("hello"), said::add);
    new DebianMirror(root, (argv, d, t) -> {
      throw new AssertionError("ran " + argv);
    }).ensure(SUITE, "minbase", List.of("hello", "hello"), said::add);

    assertThat(commands).isEmpty();
    assertThat(said).isEmpty();
    assertThat(modificationTimes(dir)).isEqualTo(before);
  }

  @Test
  @Order(4)
  void anotherSet_downloadsOnlyWhatThePoolLacks_andIsAddedToPrepared() throws IOException {
    assumeTrue(Prerequisites.isRoot(), "filling a mirror needs root");
    commands.clear();
    List<String> pool;
    try (Stream<Path> files = Files.list(root.resolve(SUITE).resolve("pool/main"))) {
      pool = files.map(p -> p.getFileName().toString()).sorted().toList();
    }

    recording(root).ensure(SUITE, "minbase", List.of(), s -> { });

    assertThat(commands).extracting(c -> Path.of(c.get(0)).getFileName().toString()).as("minbase is in the pool")
        .doesNotContain("apt-get").contains("debootstrap", "dpkg-scanpackages", "apt-ftparchive");
    try (Stream<Path> files = Files.list(root.resolve(SUITE).resolve("pool/main"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(pool);
    }
    assertThat(Files.readString(root.resolve(SUITE).resolve(DebianMirror.PREPARED)))
        .isEqualTo("minbase hello\nminbase\n");
    assertThat(workDirectories()).isEmpty();
  }

  @Test
  @Order(5)
  void aPackageTheSuiteLacks_failsWithAptsWords_andLeavesNoSetPrepared(@TempDir Path other) {
    assumeTrue(Prerequisites.isRoot(), "filling a mirror needs root");

    // debootstrap --print-debs lists an --include it cannot find as it is; apt-get download is what fails
    assertThatThrownBy(() -> recording(other).ensure(SUITE, "minbase", List.of("no-such-package-here"), s -> { }))
        .isInstanceOf(LabException.class)
        .hasMessageStartingWith("cannot download the packages of bookworm with apt-get, from this machine's apt"
            + " sources (which must carry bookworm): `")
        .hasMessageContaining(" no-such-package-here/bookworm` failed (exit 100):\n")
        .hasMessageEndingWith("E: Unable to locate package no-such-package-here");

    assertThat(other.resolve(SUITE).resolve(DebianMirror.PREPARED)).doesNotExist();
    assertThat(other.resolve(SUITE).resolve("dists")).doesNotExist();
  }

  @Test
  @Order(6)
  void debootstrap_buildsBookwormMinbaseWithHello_fromTheMirror() throws Exception {
    assumeTrue(Prerequisites.isRoot(), "debootstrap needs root");
    chroot = Files.createTempDirectory("converge-mirror-test-");
    Path target = chroot.resolve("root");
    List<String> argv = List.of(Tool.DEBOOTSTRAP.path(), "--variant=minbase", "--include=hello", "--no-check-gpg",
        SUITE, target.toString(), recording(root).url(SUITE));

    long start = System.nanoTime();
    var r = ProcessRunner.run(argv, new byte[0], Duration.ofMinutes(10), Map.of());
    double took = (System.nanoTime() - start) / 1e9;

    assertThat(r.exitCode()).as("%s\n%s", r.out(), r.err()).isZero();
    assertThat(r.out() + r.err()).contains("Base system installed successfully")
        .doesNotContain("deb.debian.org");
    assertThat(Files.readString(target.resolve("etc/os-release"))).contains("VERSION_CODENAME=bookworm");
    assertThat(Files.isExecutable(target.resolve("usr/bin/hello"))).as("the extra package, from the mirror").isTrue();
    System.out.printf("debootstrap bookworm minbase + hello from the lab's mirror: %.1f s%n", took);
  }

  private static List<Path> workDirectories() throws IOException {
    try (Stream<Path> files = Files.list(root)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".work-")).toList();
    }
  }

  private static Map<Path, FileTime> modificationTimes(Path dir) throws IOException {
    Map<Path, FileTime> times = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.toList()) {
        times.put(p, Files.getLastModifiedTime(p));
      }
    }
    return times;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}

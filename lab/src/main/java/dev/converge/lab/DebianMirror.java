package dev.converge.lab;

import dev.converge.driver.ExecResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * The lab's local Debian mirrors: lab hosts have no route out, so the debootstrap images their jails use are built
 * from a {@code file://} mirror on this machine's disk, which every lab host sees through its overlay of /var.
 *
 * <p>One mirror per suite, at {@code ROOT/SUITE/} ({@link #url}): {@code dists/SUITE/Release},
 * {@code dists/SUITE/main/binary-ARCH/Packages} (and {@code .gz}) and {@code pool/main/*.deb}, unsigned (debootstrap
 * reads it with {@code --no-check-gpg}, as the image driver does for {@code file:} mirrors). It holds the packages of
 * every set (variant and extra packages) {@link #ensure} was asked for, one line per set in {@code ROOT/SUITE/prepared}
 * ({@code VARIANT PKG1,PKG2}, packages sorted). A set is filled once, with the network, on this machine:
 * {@code debootstrap --print-debs} names its packages, {@code apt-get download} fetches those not in the pool yet
 * from this machine's apt sources (as {@code PKG/SUITE}: the sources must carry the suite), then
 * {@code dpkg-scanpackages} and {@code apt-ftparchive} index the pool. The pool keeps the first version it got of a
 * package. Every later {@link #ensure} of that set reads {@code prepared} and nothing else.
 *
 * <p>Filling holds an flock on {@code ROOT/.lock}, so two converge runs never fill at once. A new index is built in a
 * work directory under {@code ROOT} and renamed into place; {@code prepared} is removed before and rewritten (renamed
 * into place) after, so a run that fails or is killed half-way leaves a mirror that no set claims, and the next run
 * fills it again (downloading only what the pool lacks).
 *
 * <p>Lab hosts see the machine's /var through overlays: fill the mirrors a lab's images need before its hosts build
 * them, best before {@code lab up}.
 */
public final class DebianMirror {

  /** Where the lab's mirrors live: {@code ROOT/SUITE} is the mirror of SUITE. */
  public static final Path ROOT = Path.of("/var/cache/converge/lab-debian");

  static final String UPSTREAM = "http://deb.debian.org/debian";
  static final String PREPARED = "prepared";
  private static final String LOCK = ".lock";
  private static final String WORK_PREFIX = ".work-";
  private static final Duration TIMEOUT = Duration.ofMinutes(15);
  private static final int STDERR_TAIL = 20;
  private static final Pattern SUITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern VARIANT = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]*");

  /** Runs one command to completion in a directory; {@link ProcessRunner} but for tests that watch commands. */
  @FunctionalInterface
  interface Runner {
    ExecResult run(List<String> argv, Path directory, Duration timeout);
  }

  static final Runner PROCESSES =
      (argv, directory, timeout) -> ProcessRunner.run(argv, directory, new byte[0], timeout, Map.of());

  private final Path root;
  private final Runner runner;

  /** The lab's mirrors, under {@link #ROOT}. */
  public DebianMirror() {
    this(ROOT);
  }

  DebianMirror(Path root) {
    this(root, PROCESSES);
  }

  DebianMirror(Path root, Runner runner) {
    this.root = root.toAbsolutePath().normalize();
    this.runner = runner;
  }

  /** {@code file:///ROOT/SUITE}: what a spec's debootstrap image names as its mirror to build from this one. */
  public String url(String suite) {
    return "file://" + directory(suite);
  }

  /** Whether {@code url} is {@link #url url(suite)}, with a slash at the end or not. */
  boolean serves(String url, String suite) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return u.equals("file://" + root + "/" + suite);
  }

  /**
   * Makes the mirror of {@code suite} hold what {@code debootstrap --variant=VARIANT --include=PACKAGES SUITE}
   * installs. Returns at once, reading one file, when that set was filled before; else fills it (needs root and the
   * network; installs debootstrap, dpkg-dev and apt-utils if missing), saying so on {@code progress}.
   *
   * @throws LabException naming what failed, with the last lines of the failed command's errors
   */
  public void ensure(String suite, String variant, List<String> packages, Consumer<String> progress) {
    Path dir = directory(suite);
    if (!VARIANT.matcher(variant).matches()) {
      throw new LabException("debootstrap variant `" + variant + "`: expected a word such as minbase");
    }
    SortedSet<String> sorted = new TreeSet<>();
    for (String p : packages) {
      if (!PACKAGE.matcher(p).matches()) {
        throw new LabException("`" + p + "` is not a Debian package name (lowercase letters, digits, + - .)");
      }
      sorted.add(p);
    }
    String set = variant + (sorted.isEmpty() ? "" : " " + String.join(",", sorted));
    if (prepared(dir).contains(set)) {
      return;
    }
    try (MachineLock lock = MachineLock.acquire(root.resolve(LOCK))) {
      if (prepared(dir).contains(set)) {
        return;
      }
      progress.accept("preparing the lab's Debian mirror for " + suite + " " + variant
          + (sorted.isEmpty() ? "" : " + " + String.join(", ", sorted))
          + " (debootstrap --print-debs, apt-get download)");
      Prerequisites.ensure(Tool.MIRROR, "the lab's Debian mirror needs them", false, progress);
      removeStaleWork();
      Path work = createWork(suite);
      try {
        fill(suite, dir, variant, sorted, set, work);
      } catch (RuntimeException e) {
        try {
          Teardown.deleteDirectory(work);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      Teardown.deleteDirectory(work);
    }
  }

  private Path directory(String suite) {
    if (!SUITE.matcher(suite).matches()) {
      throw new LabException("Debian suite `" + suite + "`: expected a name such as bookworm");
    }
    return root.resolve(suite);
  }

  private void fill(String suite, Path dir, String variant, SortedSet<String> packages, String set, Path work) {
    Path pool = dir.resolve("pool/main");
    createDirectories(pool);
    String arch = check(List.of(Tool.DPKG.path(), "--print-architecture"), work, "cannot tell this machine's"
        + " architecture").out().strip();

    List<String> printDebs = new ArrayList<>(List.of(Tool.DEBOOTSTRAP.path(), "--print-debs",
        "--variant=" + variant));
    if (!packages.isEmpty()) {
      printDebs.add("--include=" + String.join(",", packages));
    }
    printDebs.addAll(List.of(suite, work.resolve("target").toString(), UPSTREAM));
    Set<String> debs = new LinkedHashSet<>(Arrays.asList(check(printDebs, work, "debootstrap cannot list the"
        + " packages of " + suite + " " + variant + " from " + UPSTREAM).out().strip().split("\\s+")));
    debs.remove("");
    if (debs.isEmpty()) {
      throw new LabException("`" + ProcessRunner.display(printDebs) + "` named no package");
    }

    Set<String> inPool = packagesIn(pool);
    List<String> missing = debs.stream().filter(d -> !inPool.contains(d)).toList();
    if (!missing.isEmpty()) {
      download(suite, missing, work.resolve("debs"), pool);
    }

    Path dists = work.resolve("dists");
    Path binary = dists.resolve(suite).resolve("main").resolve("binary-" + arch);
    createDirectories(binary);
    byte[] index = check(List.of(Tool.DPKG_SCANPACKAGES.path(), "-m", "pool", "/dev/null"), dir,
        "cannot index the pool of " + dir).stdout();
    write(binary.resolve("Packages"), index);
    gzip(binary.resolve("Packages"), binary.resolve("Packages.gz"));
    String option = "APT::FTPArchive::Release::";
    byte[] release = check(List.of(Tool.APT_FTPARCHIVE.path(), "-o", option + "Suite=" + suite,
        "-o", option + "Codename=" + suite, "-o", option + "Components=main", "-o", option + "Architectures=" + arch,
        "release", "dists/" + suite), work, "cannot write the Release file of " + dir).stdout();
    write(dists.resolve(suite).resolve("Release"), release);

    List<String> sets = new ArrayList<>(prepared(dir));
    Path preparedFile = dir.resolve(PREPARED);
    try {
      Files.deleteIfExists(preparedFile);
      if (Files.exists(dir.resolve("dists"))) {
        Files.move(dir.resolve("dists"), work.resolve("dists.old"), StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(dists, dir.resolve("dists"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new LabException("cannot put the new index of " + dir + " in place: " + e.getMessage(), e);
    }
    sets.add(set);
    Path next = work.resolve(PREPARED);
    write(next, (String.join("\n", sets) + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      Files.move(next, preparedFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write " + preparedFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code apt-get download PKG/SUITE...} into {@code downloads}, then each file renamed into the pool. Stale
   * package lists (a point release removed the versions they name) are refreshed once with {@code apt-get update}.
   */
  private void download(String suite, List<String> packages, Path downloads, Path pool) {
    List<String> argv = new ArrayList<>(List.of(Tool.APT_GET.path(), "download", "-qq", "-o",
        "APT::Sandbox::User=root"));
    packages.forEach(p -> argv.add(p + "/" + suite));
    createDirectories(downloads);
    ExecResult r = runner.run(argv, downloads, TIMEOUT);
    if (!r.ok()) {
      check(List.of(Tool.APT_GET.path(), "update", "-qq"), downloads, "cannot update this machine's package lists");
      Teardown.deleteDirectory(downloads);
      createDirectories(downloads);
      r = runner.run(argv, downloads, TIMEOUT);
      if (!r.ok()) {
        throw failure(argv, r, "cannot download the packages of " + suite + " with apt-get, from this machine's apt"
            + " sources (which must carry " + suite + ")");
      }
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(downloads, "*.deb")) {
      for (Path deb : files) {
        Files.move(deb, pool.resolve(deb.getFileName()), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new LabException("cannot move the downloaded packages into " + pool + ": " + e.getMessage(), e);
    }
    Set<String> inPool = packagesIn(pool);
    List<String> absent = packages.stream().filter(p -> !inPool.contains(p)).toList();
    if (!absent.isEmpty()) {
      throw new LabException("`" + ProcessRunner.display(argv) + "` succeeded but " + pool + " lacks "
          + String.join(", ", absent));
    }
  }

  /** The sets filled so far: the lines of {@code prepared}, none when it is missing. */
  private static List<String> prepared(Path dir) {
    try {
      return Files.readAllLines(dir.resolve(PREPARED)).stream().map(String::strip).filter(l -> !l.isEmpty())
          .toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new LabException("cannot read " + dir.resolve(PREPARED) + ": " + e.getMessage(), e);
    }
  }

  /** The names of the packages in {@code pool}: apt-get names its files {@code NAME_VERSION_ARCH.deb}. */
  private static Set<String> packagesIn(Path pool) {
    Set<String> names = new TreeSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(pool, "*.deb")) {
      for (Path deb : files) {
        String file = deb.getFileName().toString();
        int end = file.indexOf('_');
        names.add(end < 0 ? file : file.substring(0, end));
      }
    } catch (IOException e) {
      throw new LabException("cannot list " + pool + ": " + e.getMessage(), e);
    }
    return names;
  }

  /** Work directories of runs that were killed; only ever called under the lock, so none is in use. */
  private void removeStaleWork() {
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(root, WORK_PREFIX + "*")) {
      for (Path dir : stale) {
        Teardown.deleteDirectory(dir);
      }
    } catch (IOException e) {
      throw new LabException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private Path createWork(String suite) {
    try {
      return Files.createTempDirectory(root, WORK_PREFIX + suite + "-");
    } catch (IOException e) {
      throw new LabException("cannot create a work directory in " + root + ": " + e.getMessage(), e);
    }
  }

  private ExecResult check(List<String> argv, Path directory, String what) {
    ExecResult r = runner.run(argv, directory, TIMEOUT);
    if (!r.ok()) {
      throw failure(argv, r, what);
    }
    return r;
  }

  private static LabException failure(List<String> argv, ExecResult r, String what) {
    String text = r.err().strip().isEmpty() ? r.out().strip() : r.err().strip();
    String tail = ProcessRunner.lastLines(text.lines().toList(), STDERR_TAIL);
    return new LabException(what + ": `" + ProcessRunner.display(argv) + "` failed (exit " + r.exitCode() + ")"
        + (tail.isEmpty() ? "" : ":\n" + tail));
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new LabException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code bytes} to a new file and syncs it, so a rename makes it whole or not at all. */
  private static void write(Path file, byte[] bytes) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes));
      channel.force(true);
    } catch (IOException e) {
      throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void gzip(Path from, Path to) {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to, StandardOpenOption.CREATE_NEW))) {
      Files.copy(from, out);
    } catch (IOException e) {
      throw new LabException("cannot write " + to + ": " + e.getMessage(), e);
    }
  }
}

package dev.converge.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Target;
import dev.converge.lab.DebianMirror;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecLoader;
import dev.converge.ssh.SshTransportProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux image driver against a lab host (its own copy-on-write /var, its own /var/lib/jails), reached over SSH.
 * The tarballs are busybox-static trees made by the test and served from 127.0.0.1; what lands on the host is
 * checked inside the host (chroot into the image, stat, readlink), never with the driver's probe alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinuxImageDriverLabTest {

  private static final String HOST = "h1";
  private static final String IMAGES = ImageStore.LINUX_IMAGES;
  private static final Path BUSYBOX = Path.of("/bin/busybox");
  /** The lab's Debian mirror of bookworm, filled with its minbase set before the lab is up: lab hosts are offline. */
  private static final DebianMirror DEBIAN_MIRROR = new DebianMirror();

  @TempDir static Path dir;
  private static TestLab lab;
  private static StreamingLabTransport counting;
  private static Target target;
  private static LinuxImageDriver driver;
  private static HttpServer http;
  private static final AtomicInteger downloads = new AtomicInteger();
  private static Path busyboxTar;
  private static String busyboxSha;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    assumeTrue(Files.isExecutable(BUSYBOX), "busybox-static is not installed (run-tests installs it)");
    busyboxTar = tarball("busybox", Map.of());
    busyboxSha = DownloadCache.sha256(busyboxTar);
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/busybox.tar.gz", exchange -> {
      downloads.incrementAndGet();
      byte[] body = Files.readAllBytes(busyboxTar);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    driver = new LinuxImageDriver(new DownloadCache(dir.resolve("cache")));
    DEBIAN_MIRROR.ensure("bookworm", "minbase", List.of(), System.out::println);
    lab = TestLab.up(dir, "site: images\nhosts:\n  " + HOST + ": { address: 192.0.2.10 }\n");
    Spec spec = SpecLoader.builder().build().load(dir.resolve("site.yaml")).spec();
    counting = new StreamingLabTransport(lab.transport(HOST), new SshTransportProvider()
        .open(lab.lab().endpoints().of(spec, HOST), via -> {
          throw new IllegalStateException("lab hosts need no jump host");
        }));
    target = counting.target(HOST);
  }

  @AfterAll
  static void down() {
    if (http != null) {
      http.stop(0);
    }
    if (counting != null) {
      counting.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void aTarballByUrl_isBuiltOnTheHost_withItsMarkerLast_andASecondProbeFindsNothingToDo() throws Exception {
    Resource image = tarballByUrl("busybox", busyboxSha);

    counting.reset();
    Change create = changeFor(image).orElseThrow();
    assertThat(counting.roundTrips()).as("one exec probes the batch").isEqualTo(1);
    assertThat(create.type()).isEqualTo(ChangeType.CREATE);
    driver.apply(target, create);

    String build = IMAGES + "/busybox/" + busyboxSha.substring(0, 16);
    assertThat(host("readlink", IMAGES + "/busybox/current")).isEqualTo(busyboxSha.substring(0, 16));
    assertThat(host("chroot", build + "/root", "/bin/sh", "-c", "echo hello from $(httpd --help 2>&1 | head -c 7)"))
        .isEqualTo("hello from BusyBox");
    assertThat(Marker.parse(host("cat", build + "/" + ImageStore.MARKER)))
        .satisfies(m -> assertThat(m.digest()).isEqualTo("sha256:" + busyboxSha))
        .satisfies(m -> assertThat(m.bytes()).isGreaterThan(Files.size(BUSYBOX)))
        .satisfies(m -> assertThat(m.source()).containsEntry("type", "tarball"));
    assertThat(host("ls", "-A", IMAGES + "/busybox").lines()).as("no half-built directory stays")
        .containsExactlyInAnyOrder(busyboxSha.substring(0, 16), "current");

    counting.reset();
    assertThat(changeFor(image)).as("converged").isEmpty();
    assertThat(counting.roundTrips()).isEqualTo(1);
    assertThat(downloads).hasValue(1);
  }

  @Test
  @Order(2)
  void aDigestAlreadyCached_isNotDownloadedAgain_forAnotherImageOrHost() throws Exception {
    Resource image = tarballByUrl("busybox-again", busyboxSha);
    driver.apply(target, changeFor(image).orElseThrow());

    assertThat(changeFor(image)).isEmpty();
    assertThat(downloads).as("one download per digest").hasValue(1);
  }

  @Test
  @Order(3)
  void aTarballWithTheWrongSha256_isRefusedBeforeAnythingReachesTheHost() throws Exception {
    String wrong = "0".repeat(64);
    Resource image = tarballByUrl("wrong", wrong);
    Change create = changeFor(image).orElseThrow();

    counting.reset();
    assertThatThrownBy(() -> driver.apply(target, create))
        .isInstanceOf(ActionException.class)
        .hasMessage("image `wrong` on h1: expected sha256 " + wrong + ", the tarball has " + busyboxSha
            + "; nothing was extracted");

    assertThat(counting.roundTrips()).as("the builds on the host were read, nothing streamed or changed")
        .isEqualTo(1);
    assertThat(exitOf("test", "-e", IMAGES + "/wrong")).as("no directory on the host").isNotZero();
    assertThat(Files.exists(dir.resolve("cache/sha256/" + wrong))).as("nothing cached under the wrong digest")
        .isFalse();
  }

  @Test
  @Order(4)
  void aChangedSource_isBuiltBesideTheOld_whichStaysWhileAJailUsesIt_andIsPrunedOnceNoneDoes() throws Exception {
    Path v1 = tarball("app-v1", Map.of("www/index.html", "v1"));
    Path v2 = tarball("app-v2", Map.of("www/index.html", "v2"));
    String sha1 = DownloadCache.sha256(v1);
    String sha2 = DownloadCache.sha256(v2);
    String id1 = sha1.substring(0, 16);
    String id2 = sha2.substring(0, 16);

    driver.apply(target, changeFor(tarballByPath("app", v1, sha1)).orElseThrow());
    assertThat(host("cat", IMAGES + "/app/" + id1 + "/root/www/index.html")).isEqualTo("v1");
    holdBuild("web", "app", id1);

    Resource second = tarballByPath("app", v2, sha2);
    Change update = changeFor(second).orElseThrow();
    assertThat(update.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(update.fields()).extracting(f -> f.field()).contains("digest", "source");
    driver.apply(target, update);

    assertThat(host("readlink", IMAGES + "/app/current")).isEqualTo(id2);
    assertThat(host("cat", IMAGES + "/app/current/root/www/index.html")).isEqualTo("v2");
    assertThat(host("cat", IMAGES + "/app/" + id1 + "/root/www/index.html")).as("the jail's build stays")
        .isEqualTo("v1");
    assertThat(changeFor(second)).as("a build a jail uses is not stale").isEmpty();

    host("rm", "-r", ImageStore.LINUX_JAILS + "/web");
    Change prune = changeFor(second).orElseThrow();
    assertThat(prune.fields()).extracting(f -> f.field()).containsExactly("stale");
    assertThat(prune.fields().get(0).before()).contains(List.of("sha256:" + sha1));
    driver.apply(target, prune);

    assertThat(exitOf("test", "-e", IMAGES + "/app/" + id1)).as("pruned").isNotZero();
    assertThat(host("cat", IMAGES + "/app/current/root/www/index.html")).isEqualTo("v2");
    assertThat(changeFor(second)).isEmpty();
  }

  @Test
  @Order(5)
  void deletingAnImageAJailStillUses_failsNamingTheJail_andSucceedsOnceTheJailIsGone() throws Exception {
    Path v2 = dir.resolve("app-v2.tar.gz");
    String id2 = DownloadCache.sha256(v2).substring(0, 16);
    holdBuild("db", "app", id2);
    Resource gone = Resource.absent(ResourceId.of(ImageDriver.KIND, HOST, "app"), Location.unknown());
    Change delete = changeFor(gone).orElseThrow();
    assertThat(delete.type()).isEqualTo(ChangeType.DELETE);

    assertThatThrownBy(() -> driver.apply(target, delete))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("cannot delete image `app` on h1: build " + id2 + " is used by jail db");
    assertThat(host("cat", IMAGES + "/app/" + id2 + "/root/www/index.html")).isEqualTo("v2");

    host("rm", "-r", ImageStore.LINUX_JAILS + "/db");
    driver.apply(target, changeFor(gone).orElseThrow());
    assertThat(exitOf("test", "-e", IMAGES + "/app")).isNotZero();
    assertThat(changeFor(gone)).isEmpty();
  }

  @Test
  @Order(6)
  void aDebootstrapImage_isBuiltOnceFromTheLocalMirror_andASecondProbeIsANoOp() throws Exception {
    Map<String, Object> source = Map.of("type", "debootstrap", "suite", "bookworm", "variant", "minbase",
        "mirror", DEBIAN_MIRROR.url("bookworm"), "packages", List.of());
    Resource image = image("bookworm", source, "sha256:" + DownloadCache.sha256(write("source",
        source.toString())));

    Instant start = Instant.now();
    driver.apply(target, changeFor(image).orElseThrow());
    Duration took = Duration.between(start, Instant.now());

    String root = IMAGES + "/bookworm/current/root";
    assertThat(host("chroot", root, "/bin/sh", "-c", ". /etc/os-release; echo $VERSION_CODENAME"))
        .isEqualTo("bookworm");
    assertThat(host("chroot", root, "dpkg-query", "-W", "-f", "${Status}", "apt")).isEqualTo("install ok installed");
    assertThat(host("sh", "-c", "ls " + root + "/var/cache/apt/archives/*.deb 2>/dev/null | wc -l")).isEqualTo("0");
    long bytes = Marker.parse(host("cat", IMAGES + "/bookworm/current/" + ImageStore.MARKER)).bytes();
    System.out.printf("debootstrap image (bookworm minbase, local mirror): built in %.1f s, %d bytes (%.0f MB)%n",
        took.toMillis() / 1000.0, bytes, bytes / 1e6);

    counting.reset();
    assertThat(changeFor(image)).as("built once").isEmpty();
    assertThat(counting.roundTrips()).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Resource tarballByUrl(String name, String sha256) {
    return image(name, Map.of("type", "tarball", "sha256", sha256,
        "url", "http://127.0.0.1:" + http.getAddress().getPort() + "/busybox.tar.gz"), "sha256:" + sha256);
  }

  private static Resource tarballByPath(String name, Path file, String sha256) {
    return image(name, Map.of("type", "tarball", "sha256", sha256, "path", file.toString()), "sha256:" + sha256);
  }

  private static Resource image(String name, Map<String, Object> source, String digest) {
    return Resource.present(ResourceId.of(ImageDriver.KIND, HOST, name), Properties.of(Map.of(
        "source", source, "digest", digest, "stale", List.of())), Location.unknown());
  }

  /** A fake jail recording the build it runs on, as the jail drivers do. */
  private static void holdBuild(String jail, String image, String id) {
    host("mkdir", "-p", ImageStore.LINUX_JAILS + "/" + jail);
    ExecResult r = lab.lab().run(HOST, Command.of("sh", "-c", "cat > \"$1\"", "sh",
        ImageStore.LINUX_JAILS + "/" + jail + "/" + ImageStore.JAIL_RECORD).withStdin(
        "{\n  \"image\": \"" + image + "\",\n  \"image-dir\": \"" + IMAGES + "/" + image + "/" + id + "\"\n}\n"));
    assertThat(r.exitCode()).as(r.err()).isZero();
  }

  /**
   * A gzipped tar of a busybox-static root (bin/busybox and its applets as symlinks, an empty usr/ and etc/) plus
   * {@code files}, made with the system's tar.
   */
  private static Path tarball(String name, Map<String, String> files) throws IOException, InterruptedException {
    Path tree = Files.createDirectories(dir.resolve(name));
    Path bin = Files.createDirectories(tree.resolve("bin"));
    Files.copy(BUSYBOX, bin.resolve("busybox"));
    for (String applet : List.of("sh", "httpd", "ls", "cat", "echo", "head")) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    Files.createDirectories(tree.resolve("usr/bin"));
    Files.createDirectories(tree.resolve("etc"));
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = tree.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
    }
    Path tar = dir.resolve(name + ".tar.gz");
    Process p = new ProcessBuilder("tar", "-czf", tar.toString(), "-C", tree.toString(), ".")
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    return tar;
  }

  private static Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static Optional<Change> changeFor(Resource resource) throws Exception {
    Observation seen = driver.probe(target, List.of(resource)).get(0);
    return Differ.diff(resource, seen, driver.immutableFields());
  }

  /** The command's stdout, stripped; it must succeed. */
  private static String host(String... argv) {
    ExecResult r = lab.lab().run(HOST, Command.of(argv));
    assertThat(r.exitCode()).as("%s: %s", String.join(" ", argv), r.err()).isZero();
    return r.out().strip();
  }

  private static int exitOf(String... argv) {
    return lab.lab().run(HOST, Command.of(argv)).exitCode();
  }
}

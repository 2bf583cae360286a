package dev.converge.images;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FreeBSD image driver on a scripted host answering in the documented shapes ({@code zpool list -H -o name}:
 * one pool per line; {@code zfs list -H -o mountpoint}: the path; MANIFEST: tab-separated, driver-facts §5), with
 * release sets served from 127.0.0.1 and really fetched, verified and streamed.
 */
class FreeBsdImageDriverTest {

  private static final String HOST = "bsd1";
  private static final String JAILS = ImageStore.FREEBSD_JAILS;
  private static final String DIRS = ImageStore.FREEBSD_IMAGES;
  private static final String DIGEST = "sha256:" + "12".repeat(32);
  private static final String ID = "1212121212121212";
  private static final String OLD_DIGEST = "sha256:" + "34".repeat(32);
  private static final String OLD_ID = "3434343434343434";
  private static final String SUFFIX = "0badcafe";

  @TempDir Path dir;
  private HttpServer http;
  private final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private final ScriptedStreams host = new ScriptedStreams();
  private FreeBsdImageDriver driver;
  private byte[] baseTxz;

  @BeforeEach
  void serve() throws Exception {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", exchange -> {
      byte[] body = served.get(exchange.getRequestURI().getPath());
      exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (body != null) {
          out.write(body);
        }
      }
    });
    http.start();
    baseTxz = xzTarball();
    served.put("/releases/amd64/14.3-RELEASE/base.txz", baseTxz);
    driver = new FreeBsdImageDriver(new DownloadCache(dir.resolve("cache")), () -> SUFFIX);
  }

  @AfterEach
  void stop() {
    http.stop(0);
  }

  @Test
  void releaseSets_checkedAgainstTheManifest_areExtractedIntoADataset_snapshotted_andMadeCurrent() throws Exception {
    manifest(sha256(baseTxz));
    String build = "/zroot/converge/images/fbsd/" + ID + ".tmp." + SUFFIX;
    host.expect(probe("fbsd"), "zfs zroot /zroot/converge/images\n")
        .expect(script(FreeBsdImageDriver.PREPARE, "zroot/converge/images/fbsd", "/zroot/converge/images/fbsd", ID,
            SUFFIX), build + "\n")
        .expectStream(List.of("tar", "-J", "-x", "--numeric-owner", "-f", "-", "-C", build + "/root", "--unlink"))
        .expect(List.of("du", "-s", "-k", build + "/root"), "345678\t" + build + "/root\n")
        .expect(List.of("sh", "-c", "cat > \"$1\"", "sh", build + "/image.json"), "")
        .expect(script(FreeBsdImageDriver.SETTLE, "zroot/converge/images/fbsd", "/zroot/converge/images/fbsd", JAILS,
            "keep", build, ID), "");

    driver.apply(host.target(HOST), change(release(), Observation.absent(id("fbsd"))));

    host.assertAllAnswered();
    assertThat(host.streamed()).singleElement().satisfies(s -> assertThat(s.input()).isEqualTo(baseTxz));
    Command marker = host.executed().get(3);
    Marker written = Marker.parse(new String(marker.stdin(), StandardCharsets.UTF_8));
    assertThat(written.digest()).isEqualTo(DIGEST);
    assertThat(written.bytes()).isEqualTo(345678L * 1024);
    assertThat(written.source()).containsEntry("version", "14.3-RELEASE");
  }

  @Test
  void aSetWhoseSha256IsNotTheManifests_isRefused_beforeTheHostIsChanged() throws Exception {
    String promised = "ee".repeat(32);
    manifest(promised);
    host.expect(probe("fbsd"), "zfs zroot /zroot/converge/images\n");

    assertThatThrownBy(() -> driver.apply(host.target(HOST), change(release(), Observation.absent(id("fbsd")))))
        .isInstanceOf(ActionException.class)
        .hasMessage("image `fbsd` on bsd1: the MANIFEST gives sha256 " + promised + " for base.txz, the file has "
            + sha256(baseTxz) + "; nothing was extracted");
    host.assertAllAnswered();
    assertThat(host.streamed()).isEmpty();
  }

  @Test
  void aSetTheManifestDoesNotList_isNamed() throws Exception {
    manifest(sha256(baseTxz));
    host.expect(probe("fbsd"), "dirs\n");
    Resource withLib32 = image("fbsd", Map.of("type", "freebsd-release", "version", "14.3-RELEASE", "arch", "amd64",
        "sets", List.of("base", "lib33"), "mirror", mirror()));

    assertThatThrownBy(() -> driver.apply(host.target(HOST), change(withLib32, Observation.absent(id("fbsd")))))
        .hasMessageContaining("MANIFEST lists no lib33.txz (it lists base.txz, kernel.txz)");
  }

  @Test
  void withoutZfs_aBatchIsProbedInOneCommand_andABuildNoJailUses_isStale() throws Exception {
    String web = DIRS + "/web";
    host.expect(probe("fbsd", "web"), "dirs\n"
        + "used app " + web + "/" + OLD_ID + "\n"
        + "current fbsd " + ID + "\n"
        + "build fbsd " + OLD_ID + " " + marker(OLD_DIGEST)
        + "build fbsd " + ID + " " + marker(DIGEST)
        + "current web " + ID + "\n"
        + "build web " + OLD_ID + " " + marker(OLD_DIGEST)
        + "build web " + ID + " " + marker(DIGEST));

    List<Observation> seen = driver.probe(host.target(HOST), List.of(release(), image("web", releaseSource())));

    host.assertAllAnswered();
    assertThat(seen.get(0).actual().orElseThrow().get("stale")).contains(List.of(OLD_DIGEST));
    assertThat(seen.get(1).actual().orElseThrow().get("stale")).as("jail app uses it").contains(List.of());
    assertThat(Differ.diff(release(), seen.get(0), driver.immutableFields()).orElseThrow().fields())
        .extracting(f -> f.field()).containsExactly("stale");
    assertThat(Differ.diff(image("web", releaseSource()), seen.get(1), driver.immutableFields())).isEmpty();
  }

  @Test
  void aStaleBuild_isPrunedByTheSettleScript_withoutRebuilding() throws Exception {
    host.expect(probe("fbsd"), "dirs\ncurrent fbsd " + ID + "\nbuild fbsd " + ID + " " + marker(DIGEST))
        .expect(script(FreeBsdImageDriver.SETTLE, "", DIRS + "/fbsd", JAILS, "keep", "", ""), "pruned " + OLD_ID);
    Observation seen = Observation.present(id("fbsd"), Properties.of(Map.of("digest", DIGEST,
        "source", releaseSource(), "stale", List.of(OLD_DIGEST))));

    driver.apply(host.target(HOST), change(release(), seen));

    host.assertAllAnswered();
    assertThat(host.streamed()).isEmpty();
  }

  @Test
  void deletingAnImageAJailUses_failsNamingTheJail() throws Exception {
    host.expect(probe("fbsd"), "zfs zroot /zroot/converge/images\ncurrent fbsd " + ID + "\n")
        .expect(script(FreeBsdImageDriver.SETTLE, "zroot/converge/images/fbsd", "/zroot/converge/images/fbsd", JAILS,
            "delete", "", ""), "pruned " + OLD_ID + "\nkept " + ID + " www\n");
    Resource gone = Resource.absent(id("fbsd"), Location.unknown());

    assertThatThrownBy(() -> driver.apply(host.target(HOST), new Change(ChangeType.DELETE, gone,
        Observation.absent(id("fbsd")), List.of(), Optional.empty(), Optional.empty())))
        .isInstanceOf(ActionException.class)
        .hasMessage("cannot delete image `fbsd` on bsd1: build " + ID + " is used by jail www (the builds no jail"
            + " uses were removed)");
    host.assertAllAnswered();
  }

  @Test
  void debootstrap_isRefusedOnFreeBsd() {
    host.expect(probe("deb"), "dirs\n");
    Resource deb = image("deb", Map.of("type", "debootstrap", "suite", "bookworm", "variant", "minbase",
        "mirror", "http://deb.debian.org/debian"));

    assertThatThrownBy(() -> driver.apply(host.target(HOST), change(deb, Observation.absent(deb.id()))))
        .hasMessage("cannot build image `deb` on bsd1: debootstrap makes Debian images for Linux hosts only");
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static List<String> probe(String... images) {
    String[] args = new String[images.length + 2];
    args[0] = JAILS;
    args[1] = DIRS;
    System.arraycopy(images, 0, args, 2, images.length);
    return script(FreeBsdImageDriver.PROBE, args);
  }

  private String mirror() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/releases";
  }

  private Map<String, Object> releaseSource() {
    return Map.of("type", "freebsd-release", "version", "14.3-RELEASE", "arch", "amd64", "sets", List.of("base"),
        "mirror", mirror());
  }

  private Resource release() {
    return image("fbsd", releaseSource());
  }

  private static ResourceId id(String name) {
    return ResourceId.of(ImageDriver.KIND, HOST, name);
  }

  private static Resource image(String name, Map<String, Object> source) {
    return Resource.present(id(name), Properties.of(Map.of("source", source, "digest", DIGEST, "stale", List.of())),
        Location.unknown());
  }

  private static Change change(Resource desired, Observation seen) {
    return Differ.diff(desired, seen, Set.of()).orElseThrow();
  }

  private String marker(String digest) {
    return new Marker(digest, releaseSource(), 1024, "2026-12-03T22:00:00Z").toJson();
  }

  /** The release's MANIFEST as make-manifest.sh writes it, with {@code baseSha} for base.txz. */
  private void manifest(String baseSha) {
    served.put("/releases/amd64/14.3-RELEASE/MANIFEST", ("base.txz\t" + baseSha
        + "\t5894\tbase\t\"Base system (MANDATORY)\"\ton\n"
        + "kernel.txz\t" + "9a".repeat(32) + "\t85\tkernel\t\"Kernel (MANDATORY)\"\ton\n")
        .getBytes(StandardCharsets.UTF_8));
  }

  private byte[] xzTarball() throws IOException, InterruptedException {
    Path tree = Files.createDirectories(dir.resolve("base/bin"));
    Files.writeString(tree.resolve("freebsd-version"), "#!/bin/sh\necho 14.3-RELEASE\n");
    Path txz = dir.resolve("base.txz");
    Process p = new ProcessBuilder("tar", "-cJf", txz.toString(), "-C", dir.resolve("base").toString(), ".")
        .inheritIO().start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return Files.readAllBytes(txz);
  }

  private static String sha256(byte[] data) throws Exception {
    Path tmp = Files.createTempFile("sha", ".bin");
    try {
      Files.write(tmp, data);
      return DownloadCache.sha256(tmp);
    } finally {
      Files.delete(tmp);
    }
  }
}

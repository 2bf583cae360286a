package dev.converge.jails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Readiness;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.testing.CountingTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jails on a real Debian host (a lab host: its own namespaces, sshd as PID 1, no systemd, no internet), reached over
 * SSH as the engine reaches it, from an image build the test lays out itself the way the image driver does:
 * busybox-static with its applets, an empty {@code usr/}, and a web page in {@code www/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JailDriverLabTest {

  private static final String HOST = "h1";
  private static final String DIGEST = "sha256:" + "5e1f".repeat(16);
  private static final String BUILD = "/var/lib/converge/images/busybox/" + DIGEST.substring(7, 23);
  private static final String GATEWAY = "172.16.3.1";
  private static final String HTTPD = "busybox httpd -f -p 80 -h /www";
  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvC1rXsU0yO+4s2gqR4c0rP2qk3b6J3w0s3mPq2cZr1 ops@test";

  /** Lays out an image build per ImageStore: root, then the marker, then the `current` link. */
  static final String LAY_OUT_IMAGE = """
      set -eu
      build=$1
      mkdir -p "$build/root/bin" "$build/root/usr/bin" "$build/root/etc" "$build/root/www" "$build/root/tmp"
      cp /bin/busybox "$build/root/bin/busybox"
      for applet in $(busybox --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$build/root/bin/$applet"
      done
      echo 'root:x:0:0:root:/root:/bin/sh' >"$build/root/etc/passwd"
      echo 'root:x:0:' >"$build/root/etc/group"
      echo 'hello from the image' >"$build/root/www/index.html"
      printf '{"digest":"%s","source":{"type":"tarball","path":"/test"},"bytes":1,"built":"2026-01-01T00:00:00Z"}' \
        "$2" >"$build/image.json"
      ln -sfn "${build##*/}" "${build%/*}/current"
      """;

  @TempDir static Path dir;
  private static TestLab lab;
  private static CountingTransport transport;
  private static Target target;
  private static final JailDriver driver = new JailDriver();

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
    lab = TestLab.up(dir, "site: jails\nhosts:\n  " + HOST + ": { address: 192.0.2.1 }\n");
    transport = lab.transport(HOST);
    target = lab.target(HOST);
    host("sh", "-c", LAY_OUT_IMAGE, "lay-out", BUILD, DIGEST);
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void twoJails_areCreatedFromTheImage_andServeHttpOnTheirAddresses_fromTheHost() throws Exception {
    Resource web1 = web("web1", "172.16.3.2");
    Resource web2 = web("web2", "172.16.3.3");
    assertThat(driver.probe(target, List.of(web1, web2))).noneMatch(Observation::isPresent);

    long started = System.nanoTime();
    converge(web1);
    awaitReady(web1);
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println("[figure] jail create from a laid-out image to ready: " + ms + " ms");
    converge(web2);
    awaitReady(web2);

    assertThat(page("http://172.16.3.2/")).isEqualTo("hello from the image");
    assertThat(page("http://172.16.3.3/")).isEqualTo("hello from the image");
    assertThat(host("cat", "/var/lib/jails/web1/jail.json")).contains("\"image-dir\":\"" + BUILD + "\"");
    assertThat(inJail("web1", "echo gone > /dev/null && head -c 5 /dev/urandom | wc -c && hostname"))
        .as("a /dev of its own, its hostname").isEqualTo("5\nweb1.my.domain");
    assertThat(host("cat", "/proc/self/mountinfo")).as("the jail's /dev is the jail's alone")
        .doesNotContain("/var/lib/jails/web1/root/dev");
    assertThat(host("ip", "-n", "cj-web1", "route", "show", "default")).contains("via " + GATEWAY);
    assertThat(host("ip", "addr", "show", "dev", "vj-web1")).contains("inet " + GATEWAY + " peer 172.16.3.2/32");
  }

  @Test
  @Order(2)
  void aSecondProbe_ofBothJails_inOneRoundTrip_findsNothingToChange() throws Exception {
    Resource web1 = web("web1", "172.16.3.2");
    Resource web2 = web("web2", "172.16.3.3");
    transport.reset();
    List<Observation> seen = driver.probe(target, List.of(web1, web2));
    assertThat(transport.roundTrips()).as("one exec for the batch").isEqualTo(1);
    assertThat(Differ.diff(web1, seen.get(0), driver.immutableFields())).isEmpty();
    assertThat(Differ.diff(web2, seen.get(1), driver.immutableFields())).isEmpty();
    assertThat(seen.get(0).actual().orElseThrow().get("hostname")).contains("web1.my.domain");
  }

  @Test
  @Order(2)
  void enteringAJail_runsCommandsAndMovesFilesInsideIt_andItsLoopbackIsItsAddress() throws Exception {
    Resource web1 = web("web1", "172.16.3.2");
    Transport inside = driver.enter(target, web1);

    assertThat(inside.exec(Command.of("hostname")).out()).as("the jail's namespaces").isEqualTo("web1.my.domain\n");
    inside.write("/etc/motd", "inside\n".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0640));
    assertThat(host("cat", "/var/lib/jails/web1/root/etc/motd")).isEqualTo("inside");
    assertThat(inside.read("/etc/motd")).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
        .isEqualTo("inside\n"));
    assertThat(inside.read("/no/such/file")).isEmpty();

    host("ln", "-s", "/etc/hostname", "/var/lib/jails/web1/root/tmp/link");
    String hostsOwn = host("cat", "/etc/hostname");
    inside.write("/tmp/link", "jail\n".getBytes(StandardCharsets.UTF_8), FileAttributes.mode(0644));
    assertThat(host("cat", "/etc/hostname")).as("a link in the jail never reaches the host's files")
        .isEqualTo(hostsOwn);
    assertThat(host("cat", "/var/lib/jails/web1/root/tmp/link")).as("the write replaced the link itself")
        .isEqualTo("jail");

    try (StreamConnection http = inside.connect("127.0.0.1", 80)) {
      http.output().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      http.output().flush();
      assertThat(new String(http.input().readAllBytes(), StandardCharsets.UTF_8))
          .as("the jail's loopback, reached at its address from the host").contains("hello from the image");
    }
  }

  @Test
  @Order(3)
  void aKilledJailProcess_isSeenNotRunning_andTheUpdateRestartsIt() throws Exception {
    Resource web1 = web("web1", "172.16.3.2");
    String pid = host("cat", "/var/lib/jails/web1/pid");
    host("kill", "-KILL", pid);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
        changeFor(web1).map(c -> c.touches("running")).orElse(false));
    Change change = changeFor(web1).orElseThrow();
    assertThat(change.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("running");

    driver.apply(target, change);
    awaitReady(web1);
    assertThat(changeFor(web1)).isEmpty();
    assertThat(host("cat", "/var/lib/jails/web1/pid")).isNotEqualTo(pid);
    assertThat(page("http://172.16.3.2/")).isEqualTo("hello from the image");
  }

  @Test
  @Order(4)
  void aChangedHostname_restartsTheJail_underTheNewName_keepingItsData() throws Exception {
    host("sh", "-c", "echo kept > /var/lib/jails/web2/root/www/data.txt");
    Resource renamed = webSpec("web2", "172.16.3.3").put("hostname", "www.my.domain").build();

    Change change = changeFor(renamed).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("hostname");
    driver.apply(target, change);
    awaitReady(renamed);

    assertThat(changeFor(renamed)).isEmpty();
    String pid = host("cat", "/var/lib/jails/web2/pid");
    String child = host("cut", "-d", " ", "-f1", "/proc/" + pid + "/task/" + pid + "/children");
    assertThat(host("nsenter", "-t", child, "-u", "hostname")).isEqualTo("www.my.domain");
    assertThat(page("http://172.16.3.3/data.txt")).isEqualTo("kept");
  }

  @Test
  @Order(5)
  void aLostAddress_isSeenAsNetworkDrift_andRepaired() throws Exception {
    Resource web1 = web("web1", "172.16.3.2");
    host("ip", "-n", "cj-web1", "addr", "flush", "dev", "eth0");

    Change change = changeFor(web1).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).contains("network");
    driver.apply(target, change);
    awaitReady(web1);
    assertThat(changeFor(web1)).isEmpty();
    assertThat(page("http://172.16.3.2/")).isEqualTo("hello from the image");
  }

  @Test
  @Order(6)
  void aNewImageBuild_followed_remountsTheRootOnIt_keepingTheJailsData() throws Exception {
    String digest = "sha256:" + "0b2d".repeat(16);
    String build = "/var/lib/converge/images/busybox/" + digest.substring(7, 23);
    host("sh", "-c", LAY_OUT_IMAGE, "lay-out", build, digest);
    host("sh", "-c", "echo second build > " + build + "/root/www/index.html");
    Resource followed = webSpec("web2", "172.16.3.3").put("hostname", "www.my.domain").put("image-digest", digest)
        .build();

    Change change = changeFor(followed).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("image-digest");
    driver.apply(target, change);
    awaitReady(followed);

    assertThat(changeFor(followed)).isEmpty();
    assertThat(host("cat", "/var/lib/jails/web2/jail.json")).contains("\"image-dir\":\"" + build + "\"");
    assertThat(page("http://172.16.3.3/")).isEqualTo("second build");
    assertThat(page("http://172.16.3.3/data.txt")).isEqualTo("kept");

    Resource stale = jail("stale", "172.16.3.4").build();
    assertThatThrownBy(() -> driver.apply(target, changeFor(stale).orElseThrow()))
        .hasMessageContaining("follows image `busybox` at " + DIGEST + ", but its current build " + build + " is "
            + digest);
    host("ln", "-sfn", BUILD.substring(BUILD.lastIndexOf('/') + 1), "/var/lib/converge/images/busybox/current");
  }

  @Test
  @Order(10)
  void aJailOnABridge_isReachableFromTheHost() throws Exception {
    host("sh", "-c", "ip link add br-jails type bridge && ip addr add 172.16.5.1/24 dev br-jails"
        + " && ip link set br-jails up");
    Resource bridged = new JailSpec("bridged").network("bridge", "br-jails", "172.16.5.2", 24, "172.16.5.1")
        .put("start", HTTPD).build();

    converge(bridged);
    awaitReady(bridged);

    assertThat(page("http://172.16.5.2/")).isEqualTo("hello from the image");
    assertThat(host("ip", "link", "show", "vj-bridged")).contains("master br-jails");
    assertThat(host("ip", "-n", "cj-bridged", "addr", "show", "dev", "eth0")).contains("inet 172.16.5.2/24");
  }

  @Test
  @Order(15)
  void aJailWithRuntimeNspawn_runsUnderSystemdNspawn_fromItsRenderedSettings_inItsOwnNamespace() throws Exception {
    host("mkdir", "-p", "/tmp/shared");
    host("sh", "-c", "echo shared > /tmp/shared/note.txt");
    Resource spawned = webSpec("spawned", "172.16.3.30").put("runtime", "nspawn")
        .put("mounts", List.of(Map.of("source", "/tmp/shared", "target", "/www/shared", "read-only", true)))
        .build();

    long started = System.nanoTime();
    converge(spawned);
    awaitReady(spawned);
    System.out.println("[figure] nspawn jail create to ready: " + (System.nanoTime() - started) / 1_000_000 + " ms");

    assertThat(host("cat", "/etc/systemd/nspawn/spawned.nspawn")).isEqualTo("""
        # written by converge for jail spawned
        [Exec]
        Boot=no
        Parameters=/bin/sh -c "busybox httpd -f -p 80 -h /www"
        Hostname=spawned.my.domain

        [Files]
        BindReadOnly=/tmp/shared:/www/shared""");
    assertThat(page("http://172.16.3.30/")).isEqualTo("hello from the image");
    assertThat(page("http://172.16.3.30/shared/note.txt")).isEqualTo("shared");
    assertThat(driver.probe(target, List.of(spawned)).get(0).actual().orElseThrow().get("hostname"))
        .contains("spawned.my.domain");

    host("kill", "-KILL", host("cat", "/var/lib/jails/spawned/pid"));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
        changeFor(spawned).map(c -> c.touches("running")).orElse(false));
    driver.apply(target, changeFor(spawned).orElseThrow());
    awaitReady(spawned);
    assertThat(page("http://172.16.3.30/")).isEqualTo("hello from the image");
  }

  @Test
  @Order(20)
  void users_getAuthorizedKeys0600_ownedByThem_andASudoersFile0440() throws Exception {
    Resource ops = jail("ops", "172.16.3.10").put("users", Map.of("provision", Map.of("ssh-key", KEY,
        "sudo", true))).put("resolv-conf", "nameserver 172.16.3.53\nsearch my.domain\n").build();

    converge(ops);
    String root = "/var/lib/jails/ops/root";
    assertThat(host("grep", "^provision:", root + "/etc/passwd")).isEqualTo("provision:x:1000:1000::/home/provision:/bin/sh");
    assertThat(host("grep", "^provision:", root + "/etc/shadow")).startsWith("provision:!:");
    assertThat(host("stat", "-c", "%a %u:%g", root + "/home/provision/.ssh/authorized_keys")).isEqualTo("600 1000:1000");
    assertThat(host("cat", root + "/home/provision/.ssh/authorized_keys")).isEqualTo(KEY);
    assertThat(host("stat", "-c", "%a %u:%g", root + "/etc/sudoers.d/converge-provision")).isEqualTo("440 0:0");
    assertThat(host("cat", root + "/etc/sudoers.d/converge-provision"))
        .isEqualTo("provision ALL=(ALL:ALL) NOPASSWD: ALL");
    assertThat(host("cat", root + "/etc/resolv.conf")).isEqualTo("nameserver 172.16.3.53\nsearch my.domain");
  }

  @Test
  @Order(21)
  void aLooseAuthorizedKeysMode_andADroppedSudo_areRepairedInPlace() throws Exception {
    String root = "/var/lib/jails/ops/root";
    host("chmod", "644", root + "/home/provision/.ssh/authorized_keys");
    Resource ops = jail("ops", "172.16.3.10").put("users", Map.of("provision", Map.of("ssh-key", KEY,
        "sudo", false))).put("resolv-conf", "nameserver 172.16.3.53\nsearch my.domain\n").build();

    Change change = changeFor(ops).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("users");
    assertThat(change.fields().get(0).before().orElseThrow().toString()).contains("authorized_keys has mode");
    converge(ops);
    assertThat(host("stat", "-c", "%a", root + "/home/provision/.ssh/authorized_keys")).isEqualTo("600");
    assertThat(exitOf("test", "-e", root + "/etc/sudoers.d/converge-provision")).isEqualTo(1);
  }

  @Test
  @Order(22)
  void anAccountNoLongerInTheSpec_isDropped_itsHomeKept() throws Exception {
    String root = "/var/lib/jails/ops/root";
    Resource ops = jail("ops", "172.16.3.10").put("users", Map.of())
        .put("resolv-conf", "nameserver 172.16.3.53\nsearch my.domain\n").build();

    Change change = changeFor(ops).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("users");
    converge(ops);
    assertThat(exitOf("grep", "-q", "^provision:", root + "/etc/passwd")).isEqualTo(1);
    assertThat(exitOf("grep", "-q", "^provision:", root + "/etc/shadow")).isEqualTo(1);
    assertThat(exitOf("test", "-d", root + "/home/provision")).isZero();
  }

  @Test
  @Order(30)
  void devel_aHostDirAtUsrSrc_aFileWrittenThereAsTheDevelUser_isOwnedByTheirUidGidOnTheHost() throws Exception {
    host("mkdir", "-p", "/tmp/repo", "/tmp/docs");
    host("chown", "1234:1234", "/tmp/repo");
    host("sh", "-c", "echo readme > /tmp/docs/README");
    Resource devel = jail("devel", "172.16.3.20")
        .put("mounts", List.of(Map.of("source", "/tmp/repo", "target", "/usr/src", "read-only", false),
            Map.of("source", "/tmp/docs", "target", "/srv/docs", "read-only", true)))
        .put("users", Map.of("devel", Map.of("uid", 1234L, "gid", 1234L))).build();

    converge(devel);
    String root = "/var/lib/jails/devel/root";
    host("ip", "netns", "exec", "cj-devel", "chroot", root, "su", "devel", "-c", "echo made > /usr/src/made.txt");

    assertThat(host("stat", "-c", "%u:%g", "/tmp/repo/made.txt")).isEqualTo("1234:1234");
    assertThat(host("cat", root + "/srv/docs/README")).isEqualTo("readme");
    assertThat(exitOf("chroot", root, "sh", "-c", "echo no > /srv/docs/x")).as("read-only mount").isNotZero();
  }

  @Test
  @Order(40)
  void packages_onAnImageWithoutApt_failWithAClearError() throws Exception {
    Resource tools = jail("ops", "172.16.3.10").put("users", Map.of())
        .put("resolv-conf", "nameserver 172.16.3.53\nsearch my.domain\n").put("packages", List.of("curl")).build();

    Change change = changeFor(tools).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("packages");
    assertThatThrownBy(() -> driver.apply(target, change)).isInstanceOf(ActionException.class)
        .hasMessageContaining("jail ops on h1").hasMessageContaining("[curl]")
        .hasMessageContaining("image `busybox` has no /usr/bin/apt-get");
  }

  @Test
  @Order(41)
  void badInput_failsNamingJailHostAndValue_andCreatesNothing() throws Exception {
    Resource bad = jail("bad", "172.16.3.300").build();
    Change change = changeFor(bad).orElseThrow();
    assertThatThrownBy(() -> driver.apply(target, change)).isInstanceOf(ActionException.class)
        .hasMessageContaining("jail bad on h1").hasMessageContaining("`172.16.3.300`")
        .hasMessageContaining("IPv4 address");
    assertThat(exitOf("test", "-e", "/var/lib/jails/bad")).isEqualTo(1);

    Resource escaping = jail("bad", "172.16.3.30").put("mounts", List.of(Map.of("source", "/tmp",
        "target", "/usr/../../etc", "read-only", true))).build();
    assertThatThrownBy(() -> driver.apply(target, changeFor(escaping).orElseThrow()))
        .hasMessageContaining("not an absolute, normalised path");
    assertThat(exitOf("test", "-e", "/var/lib/jails/bad")).isEqualTo(1);
  }

  @Test
  @Order(50)
  void delete_leavesNoNamespaceNoVethNoMountNoDirectory_andLeavesJailsWithoutARecordAlone() throws Exception {
    host("mkdir", "-p", "/var/lib/jails/foreign");
    host("sh", "-c", "echo mine > /var/lib/jails/foreign/keep");
    Resource foreign = Resource.absent(ResourceId.of("jail", HOST, "foreign"), Location.unknown());
    assertThat(driver.probe(target, List.of(foreign)).get(0).isPresent()).isFalse();
    driver.apply(target, new Change(ChangeType.DELETE, foreign, Observation.absent(foreign.id()), List.of(),
        Optional.empty(), Optional.empty()));
    for (String name : List.of("web1", "web2", "bridged", "spawned", "ops", "devel")) {
      Resource gone = Resource.absent(ResourceId.of("jail", HOST, name), Location.unknown());
      Observation seen = driver.probe(target, List.of(gone)).get(0);
      assertThat(seen.isPresent()).as(name).isTrue();
      driver.apply(target, Differ.diff(gone, seen, driver.immutableFields()).orElseThrow());
      assertThat(driver.probe(target, List.of(gone)).get(0).isPresent()).isFalse();
    }
    assertThat(host("ip", "netns", "list")).doesNotContain("cj-");
    assertThat(host("ip", "link", "show")).doesNotContain("vj-");
    assertThat(host("cat", "/proc/self/mountinfo")).doesNotContain("/var/lib/jails/");
    assertThat(host("ls", "-A", "/var/lib/jails")).isEqualTo("foreign");
    assertThat(host("cat", "/var/lib/jails/foreign/keep")).as("not converge's: untouched").isEqualTo("mine");
    assertThat(exitOf("test", "-e", "/etc/systemd/nspawn/spawned.nspawn")).isEqualTo(1);
    assertThat(host("cat", "/tmp/repo/made.txt")).as("a mounted host dir survives").isEqualTo("made");
    assertThat(exitOf("busybox", "wget", "-qO-", "-T", "1", "http://172.16.3.2/")).isNotZero();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** A jail serving the image's www/ with busybox httpd on a loopback network. */
  private static Resource web(String name, String address) {
    return webSpec(name, address).build();
  }

  private static JailSpec webSpec(String name, String address) {
    return jail(name, address).put("hostname", name + ".my.domain").put("start", HTTPD);
  }

  private static JailSpec jail(String name, String address) {
    return new JailSpec(name).network("loopback", "lo2", address, 32, GATEWAY);
  }

  /** Desired jail properties, as compile writes them. */
  private static final class JailSpec {
    private final String name;
    private final Map<String, Object> p = new HashMap<>();

    JailSpec(String name) {
      this.name = name;
      p.put("image", "busybox");
      p.put("image-digest", DIGEST);
      p.put("hostname", name);
      p.put("runtime", "netns");
      p.put("running", true);
    }

    JailSpec network(String kind, String iface, String address, long prefix, String gateway) {
      return put("network", Map.of("name", "jails", "kind", kind, "interface", iface, "address", address,
          "prefix", prefix, "gateway", gateway));
    }

    JailSpec put(String field, Object value) {
      p.put(field, value);
      return this;
    }

    Resource build() {
      return Resource.present(ResourceId.of("jail", HOST, name), Properties.of(p), Location.unknown());
    }
  }

  /** Probes, applies the change, and proves the result: probed again it equals the desired state. */
  private static void converge(Resource resource) throws Exception {
    Change change = changeFor(resource).orElseThrow(() -> new AssertionError(resource.id() + " in sync"));
    driver.apply(target, change);
    assertThat(changeFor(resource)).as("%s after apply", resource.id()).isEmpty();
  }

  private static Optional<Change> changeFor(Resource resource) throws Exception {
    Observation seen = driver.probe(target, List.of(resource)).get(0);
    return Differ.diff(resource, seen, driver.immutableFields());
  }

  private static void awaitReady(Resource resource) {
    await().atMost(driver.readinessTimeout(resource)).pollInterval(Duration.ofMillis(20))
        .until(() -> driver.readiness(target, resource), Readiness::ready);
  }

  /**
   * The page at {@code url}, fetched from the host once the server in the jail listens: readiness means the process
   * runs and the address answers, not that the server has bound its port yet.
   */
  private static String page(String url) {
    await("a server at " + url).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> exitOf("busybox", "wget", "-q", "-O", "/dev/null", url) == 0);
    return host("busybox", "wget", "-qO-", url);
  }

  /** Runs {@code script} inside jail {@code name}: in its namespaces, chrooted into its root. */
  private static String inJail(String name, String script) {
    String pid = host("cat", "/var/lib/jails/" + name + "/pid");
    String init = host("cut", "-d", " ", "-f1", "/proc/" + pid + "/task/" + pid + "/children");
    return host("nsenter", "-t", init, "-m", "-u", "-n", "-p", "chroot", "/var/lib/jails/" + name + "/root", "sh",
        "-c", script);
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

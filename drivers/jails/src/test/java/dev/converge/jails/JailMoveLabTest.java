package dev.converge.jails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Readiness;
import dev.converge.driver.Target;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Moving a jail between two lab hosts, each with the same image build laid out: its data and address go with it,
 * and a move that fails leaves it running where it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JailMoveLabTest {

  private static final String DIGEST = "sha256:" + "5e1f".repeat(16);
  private static final String BUILD = "/var/lib/converge/images/busybox/" + DIGEST.substring(7, 23);
  private static final String ADDRESS = "172.16.3.2";
  private static final String PAGE = "http://" + ADDRESS + "/";

  @TempDir static Path dir;
  private static TestLab lab;
  private static final JailDriver driver = new JailDriver();

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
    lab = TestLab.up(dir, "site: jailmove\nhosts:\n  h1: { address: 192.0.2.1 }\n  h2: { address: 192.0.2.2 }\n");
    for (String host : List.of("h1", "h2")) {
      run(host, "sh", "-c", JailDriverLabTest.LAY_OUT_IMAGE, "lay-out", BUILD, DIGEST);
    }
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void aMovedJail_keepsTheDataWrittenInside_andAnswersOnTheSameAddress_fromItsNewHost() throws Exception {
    Resource onH1 = web("h1");
    converge(lab.target("h1"), onH1);
    awaitReady(lab.target("h1"), onH1);
    inJail("h1", "echo written before the move > /www/data.txt && head -c 33554432 /dev/urandom > /www/blob");
    String blob = run("h1", "sha256sum", "/var/lib/jails/web/root/www/blob").split(" ")[0];

    long started = System.nanoTime();
    driver.move(lab.target("h1"), lab.target("h2"), moveOf(onH1, web("h2")));
    System.out.println("[figure] jail move h1 -> h2 with 32 MiB of data, stop to ready: " + (System.nanoTime() - started) / 1_000_000
        + " ms");

    assertThat(page("h2", PAGE + "data.txt")).isEqualTo("written before the move");
    assertThat(page("h2", PAGE)).isEqualTo("hello from the image");
    assertThat(run("h2", "sha256sum", "/var/lib/jails/web/root/www/blob")).as("32 MiB, streamed").startsWith(blob);
    assertThat(changeFor(lab.target("h2"), web("h2"))).as("in sync on h2").isEmpty();
    assertThat(driver.probe(lab.target("h1"), List.of(absent("h1"))).get(0).isPresent()).isFalse();
    assertThat(exitOf("h1", "test", "-e", "/var/lib/jails/web")).isEqualTo(1);
    assertThat(run("h1", "ip", "netns", "list")).doesNotContain("cj-web");
  }

  @Test
  @Order(2)
  void aMoveToAHostWithoutTheImage_failsBeforeStopping_andTheJailRunsOn() throws Exception {
    run("h1", "rm", "/var/lib/converge/images/busybox/current");
    String pid = run("h2", "cat", "/var/lib/jails/web/pid");

    assertThatThrownBy(() -> driver.move(lab.target("h2"), lab.target("h1"), moveOf(web("h2"), web("h1"))))
        .isInstanceOf(ActionException.class).hasMessageContaining("image `busybox` has no current build on h1");

    assertThat(run("h2", "cat", "/var/lib/jails/web/pid")).as("never stopped").isEqualTo(pid);
    assertThat(page("h2", PAGE + "data.txt")).isEqualTo("written before the move");
    assertThat(exitOf("h1", "test", "-e", "/var/lib/jails/web")).isEqualTo(1);
    run("h1", "ln", "-s", DIGEST.substring(7, 23), "/var/lib/converge/images/busybox/current");
  }

  @Test
  @Order(3)
  void aMoveThatFailsOnTheNewHost_afterTheData_isRolledBack_andTheJailRunsOnTheOldHostAgain() throws Exception {
    Resource bridged = new Resource(web("h1").id(), Resource.Ensure.PRESENT, web("h1").properties().with("network",
        Map.of("name", "jails", "kind", "bridge", "interface", "br-missing", "address", ADDRESS, "prefix", 24L,
            "gateway", "172.16.3.1")), Location.unknown());

    assertThatThrownBy(() -> driver.move(lab.target("h2"), lab.target("h1"), moveOf(web("h2"), bridged)))
        .isInstanceOf(ActionException.class).hasMessageContaining("the bridge br-missing does not exist")
        .hasMessageContaining("the jail runs on h2 again");

    awaitReady(lab.target("h2"), web("h2"));
    assertThat(page("h2", PAGE + "data.txt")).isEqualTo("written before the move");
    assertThat(changeFor(lab.target("h2"), web("h2"))).isEmpty();
    assertThat(exitOf("h1", "test", "-e", "/var/lib/jails/web")).as("nothing left on h1").isEqualTo(1);
    assertThat(run("h1", "ip", "netns", "list")).doesNotContain("cj-web");
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Resource web(String host) {
    return Resource.present(ResourceId.of("jail", host, "web"), Properties.of(Map.of("image", "busybox",
        "image-digest", DIGEST, "hostname", "web", "runtime", "netns", "running", true,
        "start", "busybox httpd -f -p 80 -h /www",
        "network", Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", ADDRESS,
            "prefix", 32L, "gateway", "172.16.3.1"))), Location.unknown());
  }

  private static Resource absent(String host) {
    return Resource.absent(ResourceId.of("jail", host, "web"), Location.unknown());
  }

  /** The move the engine plans when a jail's host changes: a create on the new host, from the old one. */
  private static Change moveOf(Resource from, Resource to) {
    return new Change(ChangeType.MOVE, to, Observation.absent(to.id()), List.of(), Optional.of("host changes"),
        Optional.of(from.target()));
  }

  private static void converge(Target target, Resource resource) throws Exception {
    Change change = changeFor(target, resource).orElseThrow();
    driver.apply(target, change);
    assertThat(changeFor(target, resource)).isEmpty();
  }

  private static Optional<Change> changeFor(Target target, Resource resource) throws Exception {
    return Differ.diff(resource, driver.probe(target, List.of(resource)).get(0), driver.immutableFields());
  }

  private static void awaitReady(Target target, Resource resource) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> driver.readiness(target, resource), Readiness::ready);
  }

  /** The page at {@code url} from {@code host}, once the server in the jail listens (readiness is ping). */
  private static String page(String host, String url) {
    await("a server at " + url + " from " + host).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> exitOf(host, "busybox", "wget", "-q", "-O", "/dev/null", url) == 0);
    return run(host, "busybox", "wget", "-qO-", url);
  }

  /** Runs {@code script} inside jail web on {@code host}: in its namespaces, chrooted into its root. */
  private static String inJail(String host, String script) {
    String pid = run(host, "cat", "/var/lib/jails/web/pid");
    String init = run(host, "cut", "-d", " ", "-f1", "/proc/" + pid + "/task/" + pid + "/children");
    return run(host, "nsenter", "-t", init, "-m", "-u", "-n", "-p", "chroot", "/var/lib/jails/web/root", "sh", "-c",
        script);
  }

  private static String run(String host, String... argv) {
    ExecResult r = lab.lab().run(host, Command.of(argv));
    assertThat(r.exitCode()).as("%s on %s: %s", String.join(" ", argv), host, r.err()).isZero();
    return r.out().strip();
  }

  private static int exitOf(String host, String... argv) {
    return lab.lab().run(host, Command.of(argv)).exitCode();
  }
}

package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.driver.Command;
import dev.converge.lab.LabStatus.HostStatus;
import dev.converge.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code up} follows the spec: hosts and links come and go, dead hosts come back, and {@code down} finds it all. */
class LabChangesTest {

  private static final String THREE_HOSTS = """
      site: changes
      hosts:
        a: { address: 192.0.2.1 }
        b: { address: 192.0.2.2 }
        c: { address: 192.0.2.3 }
      networks:
        ring: { kind: links, cidr: 172.16.0.0/24, links: [[a, b], [b, c]] }
      """;

  @TempDir Path dir;
  private final List<Lab> labs = new ArrayList<>();

  @BeforeEach
  void root() {
    assumeTrue(Prerequisites.isRoot(), "the lab needs root");
  }

  @AfterEach
  void down() {
    labs.forEach(Lab::down);
  }

  @Test
  void up_addsAndRemovesHostsAndLinks_leavingTheOthersRunning() {
    Lab before = lab(THREE_HOSTS);
    before.up(s -> {});
    Map<String, Long> pids = pids(before);

    Lab after = lab("""
        site: changes
        hosts:
          a: { address: 192.0.2.1 }
          b: { address: 192.0.2.2 }
          d: { address: 192.0.2.4 }
        networks:
          ring: { kind: links, cidr: 172.16.0.0/24, links: [[a, b], [a, d]] }
        """);
    List<String> said = new ArrayList<>();
    after.up(said::add);

    assertThat(said).anyMatch(s -> s.contains("removing host c"));
    Map<String, Long> now = pids(after);
    assertThat(now).containsOnlyKeys("a", "b", "d");
    assertThat(now.get("a")).isEqualTo(pids.get("a"));
    assertThat(now.get("b")).isEqualTo(pids.get("b"));
    assertThat(MachineView.namespacesOf(after)).containsExactlyInAnyOrder(
        after.prefix() + "-a", after.prefix() + "-b", after.prefix() + "-d");
    assertThat(interfaces(after, "a")).contains("ring-b", "ring-d");
    assertThat(interfaces(after, "b")).contains("ring-a").doesNotContain("ring-c");
    assertThat(interfaces(after, "d")).contains("ring-a");
    assertThat(MachineView.run("ssh", "-F", after.sshConfigFile().toString(), "d", "hostname").strip())
        .isEqualTo("d");
  }

  @Test
  void up_makesAKilledHostAgain_withItsLinks() {
    Lab lab = lab(THREE_HOSTS);
    lab.up(s -> {});
    long b = pids(lab).get("b");

    ProcessHandle.of(b).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> !lab.status().host("b").orElseThrow().up());
    List<String> said = new ArrayList<>();
    lab.up(said::add);

    assertThat(said).anyMatch(s -> s.contains("host b is not running"));
    assertThat(pids(lab).get("b")).isNotEqualTo(b);
    assertThat(lab.status().up()).isTrue();
    assertThat(interfaces(lab, "b")).contains("ring-a", "ring-c");
    assertThat(interfaces(lab, "a")).contains("ring-b");
  }

  @Test
  void down_withoutLabJson_findsEverythingByItsNames() throws Exception {
    Lab lab = lab(THREE_HOSTS);
    lab.up(s -> {});
    List<Long> processes = MachineView.processesOf(lab);
    Files.delete(lab.directory().resolve("lab.json"));

    lab.down();

    MachineView.assertNothingLeft(lab, processes);
  }

  @Test
  void up_afterTheSiteWasRenamed_removesTheLabOfTheOldName() {
    Lab old = lab(THREE_HOSTS);
    old.up(s -> {});
    List<Long> processes = MachineView.processesOf(old);

    Lab renamed = lab(THREE_HOSTS.replace("site: changes", "site: renamed"));
    renamed.up(s -> {});

    assertThat(MachineView.namespacesOf(old)).isEmpty();
    assertThat(MachineView.interfacesOf(old)).isEmpty();
    assertThat(MachineView.running(processes)).isEmpty();
    assertThat(renamed.status().up()).isTrue();
  }

  private Lab lab(String yaml) {
    Spec spec = LabSpecs.load(dir, yaml);
    Lab lab = Lab.of(spec, dir.resolve(".converge"));
    labs.add(lab);
    return lab;
  }

  private static Map<String, Long> pids(Lab lab) {
    return lab.status().hosts().stream().filter(HostStatus::inSpec)
        .collect(Collectors.toMap(HostStatus::name, h -> h.pid().orElseThrow()));
  }

  private static List<String> interfaces(Lab lab, String host) {
    return lab.run(host, Command.of("ip", "-br", "link")).out().lines().map(l -> l.split("[ @]")[0]).toList();
  }
}

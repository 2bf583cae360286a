package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Target;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.testing.CountingTransport;
import dev.converge.testing.HelloRepository;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every driver against a real Debian host: a lab host (its own namespaces, copy-on-write /etc /var /usr, sshd as PID
 * 1, no systemd, no internet), reached over SSH as the engine reaches it. Each kind goes absent → apply → present and
 * equal → nothing more to do, then update, delete and its errors. The package and service tests share a package
 * built here and served from a flat apt repository under target/ (see {@link HelloRepository}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinuxDriversLabTest {

  private static final String HOST = "h1";

  @TempDir static Path dir;
  private static TestLab lab;
  private static CountingTransport transport;
  private static Target target;
  private static HelloRepository repository;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    repository = HelloRepository.build(Path.of("target", "lab-repository-" + UUID.randomUUID()));
    lab = TestLab.up(dir, "site: linuxdrivers\nhosts:\n  " + HOST + ": { address: 192.0.2.1 }\n");
    transport = lab.transport(HOST);
    target = lab.target(HOST);
  }

  @AfterAll
  static void down() {
    try {
      if (lab != null) {
        lab.close();
      }
    } finally {
      if (repository != null) {
        repository.close();
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ hostname

  @Test
  @Order(1)
  void hostname_setsTheRunningName_etcHostname_andTheHostsLine() throws Exception {
    Driver driver = new HostnameDriver();
    Resource web = present("hostname", "hostname", Map.of("name", "web1.lab.example"));

    Change change = changeFor(driver, web).orElseThrow();
    assertThat(change.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(change.fields().get(0).before()).contains(HOST);
    converge(driver, web);

    assertThat(host("hostname")).isEqualTo("web1.lab.example");
    assertThat(host("cat", "/etc/hostname")).isEqualTo("web1.lab.example");
    assertThat(host("cat", "/etc/hosts")).contains("127.0.1.1\tweb1.lab.example web1");
  }

  @Test
  @Order(2)
  void hostname_drift_inEtcHostname_isShownAndRepaired() throws Exception {
    Driver driver = new HostnameDriver();
    Resource web = present("hostname", "hostname", Map.of("name", "web1.lab.example"));
    host("sh", "-c", "echo drifted > /etc/hostname");

    assertThat(changeFor(driver, web).orElseThrow().fields().get(0).before())
        .contains("web1.lab.example (/etc/hostname: drifted)");
    converge(driver, web);
    assertThat(host("cat", "/etc/hostname")).isEqualTo("web1.lab.example");
  }

  // ------------------------------------------------------------------------------------------------ sysctl

  @Test
  @Order(10)
  void sysctl_setsLiveValueAndPersistsIt_normalisingWhitespace_inOneRoundTripPerBatch() throws Exception {
    Driver driver = new SysctlDriver();
    Resource range = present("sysctl", "net.ipv4.ip_local_port_range", Map.of("value", "32000 60000"));
    Resource forward = present("sysctl", "net.ipv4.ip_forward", Map.of("value", "1"));

    transport.reset();
    List<Observation> seen = driver.probe(target, List.of(range, forward));
    assertThat(transport.roundTrips()).as("one exec for the batch").isEqualTo(1);
    assertThat(seen).extracting(Observation::isPresent).as("converge's files are not there yet")
        .containsExactly(false, false);

    converge(driver, range);
    converge(driver, forward);
    assertThat(host("sysctl", "-n", "net.ipv4.ip_local_port_range")).isEqualTo("32000\t60000");
    assertThat(host("cat", "/etc/sysctl.d/90-converge-net.ipv4.ip_local_port_range.conf"))
        .contains("net.ipv4.ip_local_port_range = 32000 60000");

    host("sysctl", "-w", "net.ipv4.ip_local_port_range=32500 60500");
    assertThat(changeFor(driver, range).orElseThrow().fields().get(0).before())
        .contains("32500 60500 (persisted: 32000 60000)");
  }

  @Test
  @Order(11)
  void sysctl_update_thenDelete_removesOnlyThePersistedFile() throws Exception {
    Driver driver = new SysctlDriver();
    converge(driver, present("sysctl", "net.ipv4.ip_local_port_range", Map.of("value", "32100   60100")));
    assertThat(host("sysctl", "-n", "net.ipv4.ip_local_port_range")).isEqualTo("32100\t60100");

    converge(driver, absent("sysctl", "net.ipv4.ip_local_port_range"));
    assertThat(exitOf("test", "-e", "/etc/sysctl.d/90-converge-net.ipv4.ip_local_port_range.conf")).isEqualTo(1);
  }

  @Test
  @Order(12)
  void sysctl_unknownKey_failsNamingHostAndKey_andWritesNothing() throws Exception {
    Driver driver = new SysctlDriver();
    Resource bogus = present("sysctl", "net.ipv4.no_such_key", Map.of("value", "1"));

    Change change = changeFor(driver, bogus).orElseThrow();
    assertThat(change.type()).isEqualTo(ChangeType.CREATE);
    assertThatThrownBy(() -> driver.apply(target, change))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("net.ipv4.no_such_key").hasMessageContaining(HOST).hasMessageContaining("no such key");
    assertThat(exitOf("test", "-e", "/etc/sysctl.d/90-converge-net.ipv4.no_such_key.conf")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ apt

  @Test
  @Order(20)
  void repositoryAndPackage_installFromTheLocalRepository() throws Exception {
    Driver repositories = new RepositoryDriver();
    Driver packages = new PackageDriver();
    Resource repo = present("package-repository", "hello",
        Map.of("source", repository.sourcesLine()));
    Resource hello = present("package", HelloRepository.PACKAGE, Map.of("installed", true));

    assertThat(changeFor(repositories, repo).orElseThrow().type()).isEqualTo(ChangeType.CREATE);
    converge(repositories, repo);
    assertThat(host("cat", "/etc/apt/sources.list.d/converge-hello.list"))
        .isEqualTo(repository.sourcesLine());

    transport.reset();
    List<Observation> seen = packages.probe(target, List.of(hello,
        present("package", "procps", Map.of("installed", true)), present("package", "sudo", Map.of("installed", true))));
    assertThat(transport.roundTrips()).as("one dpkg-query for the batch").isEqualTo(1);
    assertThat(seen).extracting(Observation::isPresent).containsExactly(false, true, true);

    converge(packages, hello);
    assertThat(host("dpkg-query", "-W", "-f", "${Status}", HelloRepository.PACKAGE)).isEqualTo("install ok installed");
  }

  @Test
  @Order(21)
  void package_unknownToEveryRepository_failsNamingHostAndPackage() throws Exception {
    Driver packages = new PackageDriver();
    Resource missing = present("package", "converge-no-such-package", Map.of("installed", true));

    Change change = changeFor(packages, missing).orElseThrow();
    assertThatThrownBy(() -> packages.apply(target, change))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("converge-no-such-package").hasMessageContaining(HOST)
        .hasMessageContaining("no repository");
  }

  // ------------------------------------------------------------------------------------------------ service

  @Test
  @Order(30)
  void service_sysv_enableAndStart_returnsThoughTheDaemonKeepsItsOutputOpen() throws Exception {
    Driver driver = new ServiceDriver();
    Resource hello = present("service", HelloRepository.PACKAGE, Map.of("enabled", true, "running", true));

    Change change = changeFor(driver, hello).orElseThrow();
    assertThat(change.observed().actual().orElseThrow().asMap())
        .containsEntry("enabled", false).containsEntry("running", false);
    converge(driver, hello);

    assertThat(host("sh", "-c", "ls /etc/rc2.d")).contains("S01converge-hello");
    assertThat(exitOf("/etc/init.d/converge-hello", "status")).isZero();
  }

  @Test
  @Order(31)
  void service_sysv_disableAndStop() throws Exception {
    Driver driver = new ServiceDriver();
    converge(driver, present("service", HelloRepository.PACKAGE, Map.of("enabled", false, "running", false)));

    assertThat(host("sh", "-c", "ls /etc/rc2.d")).doesNotContain("S01converge-hello");
    assertThat(exitOf("/etc/init.d/converge-hello", "status")).isEqualTo(3);
  }

  @Test
  @Order(32)
  void service_withoutUnitOrInitScript_failsNamingHostAndService() throws Exception {
    Driver driver = new ServiceDriver();
    Resource ghost = present("service", "converge-no-such-service", Map.of("enabled", true, "running", true));

    Change change = changeFor(driver, ghost).orElseThrow();
    assertThatThrownBy(() -> driver.apply(target, change))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("converge-no-such-service").hasMessageContaining(HOST)
        .hasMessageContaining("no such service");
  }

  @Test
  @Order(33)
  void service_plannedBeforeItsPackageWasInstalled_isSetUpWholeWhenApplied() throws Exception {
    Driver driver = new ServiceDriver();
    Resource hello = present("service", HelloRepository.PACKAGE, Map.of("enabled", true, "running", true));
    Change plannedWhenAbsent = Differ.diff(hello, Observation.absent(hello.id()), Set.of()).orElseThrow();

    driver.apply(target, plannedWhenAbsent);

    assertThat(changeFor(driver, hello)).isEmpty();
    assertThat(exitOf("/etc/init.d/converge-hello", "status")).isZero();
  }

  @Test
  @Order(40)
  void package_andRepository_delete() throws Exception {
    converge(new PackageDriver(), absent("package", HelloRepository.PACKAGE));
    assertThat(host("sh", "-c", "dpkg-query -W -f '${Status}' converge-hello 2>/dev/null; true"))
        .doesNotContain("ok installed");

    converge(new RepositoryDriver(), absent("package-repository", "hello"));
    assertThat(exitOf("test", "-e", "/etc/apt/sources.list.d/converge-hello.list")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ user

  private static final String KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvC1rXsU0yO+4s2gqR4c0rP2qk3b6J3w0s3mPq2cZr1 a@test";
  private static final String KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq3o2m6H1cK0m4Q1Jz6yQk0mJp2dWw9l8n8a3c7f1hX b@test";

  @Test
  @Order(50)
  void user_create_withIdsShellGroupsKeysAndSudo() throws Exception {
    Driver driver = new UserDriver();
    Resource cvprov = present("user", "cvprov", Map.of("uid", 2001L, "gid", 2001L, "shell", "/bin/bash",
        "groups", List.of("users", "adm"), "authorized-keys", List.of(KEY_A), "sudo", true));

    transport.reset();
    List<Observation> seen = driver.probe(target, List.of(cvprov, present("user", "root", Map.of("sudo", false))));
    assertThat(transport.roundTrips()).as("one exec for the batch").isEqualTo(1);
    assertThat(seen).extracting(Observation::isPresent).containsExactly(false, true);

    converge(driver, cvprov);
    assertThat(host("getent", "passwd", "cvprov")).isEqualTo("cvprov:x:2001:2001::/home/cvprov:/bin/bash");
    assertThat(host("getent", "group", "2001")).startsWith("cvprov:x:2001:");
    assertThat(host("id", "-Gn", "cvprov")).isEqualTo("cvprov adm users");
    assertThat(host("stat", "-c", "%a %U %G", "/home/cvprov/.ssh", "/home/cvprov/.ssh/authorized_keys"))
        .isEqualTo("700 cvprov cvprov\n600 cvprov cvprov");
    assertThat(host("cat", "/home/cvprov/.ssh/authorized_keys")).isEqualTo(KEY_A);
    assertThat(host("stat", "-c", "%a %U", "/etc/sudoers.d/converge-cvprov")).isEqualTo("440 root");
    assertThat(host("sudo", "-l", "-U", "cvprov")).contains("(ALL : ALL) NOPASSWD: ALL");
  }

  @Test
  @Order(51)
  void user_update_changesOnlyWhatDiffers_andSudoFalseRemovesTheRule() throws Exception {
    Driver driver = new UserDriver();
    Resource cvprov = present("user", "cvprov", Map.of("uid", 2001L, "gid", 2001L, "shell", "/bin/sh",
        "groups", List.of("users"), "authorized-keys", List.of(KEY_A, KEY_B), "sudo", false));

    Change change = changeFor(driver, cvprov).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field())
        .containsExactly("authorized-keys", "groups", "shell", "sudo");
    converge(driver, cvprov);

    assertThat(host("getent", "passwd", "cvprov")).endsWith(":/bin/sh");
    assertThat(host("id", "-Gn", "cvprov")).isEqualTo("cvprov users");
    assertThat(host("cat", "/home/cvprov/.ssh/authorized_keys")).isEqualTo(KEY_A + "\n" + KEY_B);
    assertThat(exitOf("test", "-e", "/etc/sudoers.d/converge-cvprov")).isEqualTo(1);
  }

  @Test
  @Order(52)
  void user_keyFileWithLooseMode_isReportedAndFixed() throws Exception {
    Driver driver = new UserDriver();
    Resource cvprov = present("user", "cvprov", Map.of("authorized-keys", List.of(KEY_A, KEY_B), "sudo", false));
    host("chmod", "644", "/home/cvprov/.ssh/authorized_keys");

    assertThat(changeFor(driver, cvprov).orElseThrow().fields().get(0).before().orElseThrow().toString())
        .contains("authorized_keys has mode 644");
    converge(driver, cvprov);
    assertThat(host("stat", "-c", "%a", "/home/cvprov/.ssh/authorized_keys")).isEqualTo("600");
  }

  @Test
  @Order(53)
  void user_delete_removesTheAccountAndItsSudoRule() throws Exception {
    Driver driver = new UserDriver();
    converge(driver, present("user", "cvprov", Map.of("sudo", true)));
    assertThat(exitOf("test", "-e", "/etc/sudoers.d/converge-cvprov")).isZero();

    converge(driver, absent("user", "cvprov"));
    assertThat(exitOf("getent", "passwd", "cvprov")).isEqualTo(2);
    assertThat(exitOf("test", "-e", "/etc/sudoers.d/converge-cvprov")).isEqualTo(1);
  }

  @Test
  @Order(54)
  void user_plannedBeforeAPackageMadeTheAccount_isUpdatedInsteadOfCreated() throws Exception {
    Driver driver = new UserDriver();
    Resource late = present("user", "cvlate", Map.of("uid", 2002L, "shell", "/bin/sh", "sudo", true));
    Change plannedWhenAbsent = Differ.diff(late, Observation.absent(late.id()), Set.of()).orElseThrow();
    host("useradd", "-u", "2002", "-s", "/usr/sbin/nologin", "cvlate");

    driver.apply(target, plannedWhenAbsent);

    assertThat(changeFor(driver, late)).isEmpty();
    assertThat(host("getent", "passwd", "cvlate")).startsWith("cvlate:x:2002:").endsWith(":/bin/sh");
    converge(driver, absent("user", "cvlate"));
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** Probes, applies the change, and proves the result: probed again it equals the desired state. */
  private static void converge(Driver driver, Resource resource) throws Exception {
    Change change = changeFor(driver, resource).orElseThrow(() -> new AssertionError(resource.id() + " in sync"));
    driver.apply(target, change);
    assertThat(changeFor(driver, resource)).as("%s after apply", resource.id()).isEmpty();
  }

  private static Optional<Change> changeFor(Driver driver, Resource resource) throws Exception {
    Observation seen = driver.probe(target, List.of(resource)).get(0);
    return Differ.diff(resource, seen, driver.immutableFields());
  }

  private static Resource present(String kind, String name, Map<String, ?> properties) {
    return Resource.present(ResourceId.of(kind, HOST, name), Properties.of(properties), Location.unknown());
  }

  private static Resource absent(String kind, String name) {
    return Resource.absent(ResourceId.of(kind, HOST, name), Location.unknown());
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

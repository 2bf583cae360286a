package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.driver.Command;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Transport;
import dev.converge.engine.Endpoints;
import dev.converge.lab.LabStatus.HostStatus;
import dev.converge.spec.Cidr;
import dev.converge.spec.Spec;
import dev.converge.ssh.SshTransportProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab of two hosts joined by a link, brought up once for the class: one is {@code transport: local} and one a
 * FreeBSD host in the spec, and both become Linux namespace hosts. The last test takes it down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabTest {

  private static final String SPEC = """
      site: labtest
      hosts:
        alpha: { transport: local }
        beta: { address: 192.0.2.10, os: freebsd }
      networks:
        backbone: { kind: links, cidr: 172.16.2.0/24, links: [[alpha, beta]] }
      """;

  @TempDir static Path dir;
  private static Spec spec;
  private static Lab lab;

  @BeforeAll
  static void up() {
    assumeTrue(Prerequisites.isRoot(), "the lab needs root");
    spec = LabSpecs.load(dir, SPEC);
    lab = Lab.of(spec, dir.resolve(".converge"));
    lab.up(System.out::println);
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.down();
    }
  }

  @Test
  @Order(1)
  void everyHost_answersOpenSshWithStrictKnownHosts() {
    for (String host : List.of("alpha", "beta")) {
      String out = MachineView.run("ssh", "-F", lab.sshConfigFile().toString(), host, "hostname");
      assertThat(out.strip()).as("ssh %s hostname", host).isEqualTo(host);
    }
    assertThat(lab.sshConfig()).contains("StrictHostKeyChecking yes", "Host alpha", "Host beta", "User root");
  }

  @Test
  @Order(1)
  void endpoints_reachEveryHostOverTheEngineSshTransport_asLinux() throws Exception {
    Endpoints endpoints = lab.endpoints();
    Endpoint beta = endpoints.of(spec, "beta");
    assertThat(beta.scheme()).isEqualTo(Endpoint.SSH);
    assertThat(beta.user()).isEqualTo("root");
    assertThat(beta.port()).isEqualTo(22);
    assertThat(endpoints.platform(spec, "beta")).isEqualTo("linux");
    assertThat(endpoints.platform(spec, "alpha")).isEqualTo("linux");
    try (Transport t = new SshTransportProvider().open(beta, e -> {
      throw new AssertionError("no jump host expected");
    })) {
      assertThat(t.exec(Command.of("hostname")).out().strip()).isEqualTo("beta");
    }
  }

  @Test
  @Order(1)
  void hostname_isTheSpecName() {
    assertThat(lab.run("alpha", Command.of("hostname")).out().strip()).isEqualTo("alpha");
    assertThat(lab.run("beta", Command.of("cat", "/etc/hostname")).out().strip()).isEqualTo("beta");
  }

  @Test
  @Order(1)
  void aFileWrittenInEtc_staysOnItsHost() {
    String name = "converge-lab-test-" + UUID.randomUUID();
    Path file = Path.of("/etc", name);
    ExecResult write = lab.run("alpha", Command.of("sh", "-c", "echo mine > \"$1\"", "sh", file.toString()));
    assertThat(write.exitCode()).as(write.err()).isZero();

    assertThat(lab.run("alpha", Command.of("cat", file.toString())).out()).isEqualTo("mine\n");
    assertThat(lab.run("beta", Command.of("test", "-e", file.toString())).exitCode()).isEqualTo(1);
    assertThat(file).doesNotExist();
  }

  @Test
  @Order(1)
  void theMachine_isReadOnlyOutsideTheOverlays() {
    String name = "converge-lab-test-" + UUID.randomUUID();
    ExecResult top = lab.run("alpha", Command.of("touch", "/" + name));
    assertThat(top.exitCode()).isNotZero();
    assertThat(top.err()).contains("Read-only file system");
    assertThat(Path.of("/", name)).doesNotExist();

    ExecResult usr = lab.run("alpha", Command.of("touch", "/usr/" + name));
    assertThat(usr.exitCode()).as(usr.err()).isZero();
    assertThat(Path.of("/usr", name)).doesNotExist();

    ExecResult sysctl = lab.run("alpha", Command.of("sh", "-c", "echo 60 > /proc/sys/vm/swappiness"));
    assertThat(sysctl.exitCode()).as("a machine-wide kernel setting").isNotZero();
  }

  @Test
  @Order(1)
  void aHost_hasNoRouteOutOfTheLab() {
    assertThat(lab.run("alpha", Command.of("ip", "route", "show", "default")).out()).isBlank();
    ExecResult outside = lab.run("alpha", Command.of("ip", "route", "get", "8.8.8.8"));
    assertThat(outside.exitCode()).isNotZero();
    assertThat(outside.err()).contains("unreachable");

    String bridge = MachineView.interfacePrefix(lab);
    assertThat(MachineView.run("cat", "/proc/sys/net/ipv4/conf/" + bridge + "/forwarding").strip())
        .as("the bridge forwards nothing, even for a host that adds a default route").isEqualTo("0");
    String alpha = lab.status().host("alpha").orElseThrow().address().orElseThrow();
    assertThat(MachineView.run("ip", "route", "get", "8.8.8.8", "from", alpha, "iif", bridge))
        .as("the root namespace's verdict on a packet from alpha to the outside").contains("No route to host");
  }

  @Test
  @Order(1)
  void aLink_isAVethUpInBothHosts() {
    assertThat(lab.run("alpha", Command.of("ip", "-br", "link", "show", "dev", "backbo-beta")).out())
        .startsWith("backbo-beta@").contains(" UP ");
    assertThat(lab.run("beta", Command.of("ip", "-br", "link", "show", "dev", "backbo-alpha")).out())
        .startsWith("backbo-alpha@").contains(" UP ");
    assertThat(lab.run("beta", Command.of("ip", "-br", "address", "show", "dev", "backbo-alpha")).out())
        .as("no address: the network driver configures links").doesNotContain("172.16.");
  }

  @Test
  @Order(1)
  void status_showsEveryHostUpAndReachableInTheLabSubnet() {
    LabStatus status = lab.status();
    assertThat(status.up()).isTrue();
    assertThat(status.prefix()).startsWith("cv-labtest-");
    Cidr subnet = Cidr.parse(status.subnet().orElseThrow());
    assertThat(status.hosts()).extracting(HostStatus::name).containsExactly("alpha", "beta");
    for (HostStatus h : status.hosts()) {
      assertThat(h.up()).as(h.name()).isTrue();
      assertThat(h.sshReachable()).as(h.name()).isTrue();
      assertThat(h.pid()).isPresent();
      assertThat(subnet.contains(Cidr.address(h.address().orElseThrow()))).isTrue();
    }
  }

  @Test
  @Order(1)
  void exec_returnsTheCommandsExitStatus() {
    assertThat(lab.exec("alpha", List.of("sh", "-c", "exit 7"))).isEqualTo(7);
    assertThat(lab.exec("beta", List.of("true"))).isZero();
  }

  @Test
  @Order(2)
  void upAgain_changesNothing() throws Exception {
    Map<String, Long> pids = pids();
    byte[] recorded = Files.readAllBytes(lab.directory().resolve("lab.json"));
    List<String> said = new ArrayList<>();

    lab.up(said::add);

    assertThat(pids()).isEqualTo(pids);
    assertThat(Files.readAllBytes(lab.directory().resolve("lab.json"))).isEqualTo(recorded);
    assertThat(said).isEmpty();
  }

  @Test
  @Order(3)
  void down_leavesNothing() {
    List<Long> processes = MachineView.processesOf(lab);
    assertThat(processes).as("the hosts' processes, before down").isNotEmpty();

    lab.down();

    MachineView.assertNothingLeft(lab, processes);
    assertThat(lab.status().up()).isFalse();
    lab.down();
  }

  private static Map<String, Long> pids() {
    return lab.status().hosts().stream()
        .collect(Collectors.toMap(HostStatus::name, h -> h.pid().orElseThrow()));
  }
}

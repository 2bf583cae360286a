package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.testing.HelloRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A 5-host lab through the real CLI: up → converge host basics (sysctl, a package from a local apt repository the
 * test builds, the provision and devel users, a service, files) → a second converge does nothing → what converge
 * did is visible on its own host only, never on the machine → down leaves nothing behind.
 */
class LabIT {

  private Path dir;
  private Path spec;
  private HelloRepository repository;

  @BeforeEach
  void writeSpec() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/lab-it-" + UUID.randomUUID().toString().substring(0, 8)));
    repository = HelloRepository.build(dir.resolve("hello"));
    Path key = dir.resolve("provision.pub");
    Files.writeString(key, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0LWtleS1ub3QtdXNlZC1mb3ItbG9naW4tLS0t cvprov@test\n");
    spec = dir.resolve("site.yaml");
    Files.writeString(spec, """
        site: labit
        defaults:
          sysctl: { net.ipv4.ip_forward: 1 }
          repositories: { local: "%s" }
          packages: [converge-hello, sudo]
          users:
            cvprov: { ssh-key: provision.pub, sudo: true }
            cvdevel: { uid: 4242, gid: 4242 }
          services: { converge-hello: ~ }
        hosts:
          mgmt: { transport: local }
          h1: { address: 198.51.100.1, hostname: h1.lab.example }
          h2: { address: 198.51.100.2, os: freebsd }
          h3: { address: 198.51.100.3 }
          h4: { address: 198.51.100.4 }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[h1, h2], [h2, h3], [h3, h4], [h4, mgmt]] }
        files:
          - { host: h1, path: /etc/only-on-h1, content: "h1 only\\n" }
          - { host: h2, path: /etc/motd-converge, template: "I am ${host.name}\\n" }
          - { host: h3, path: /etc/motd-converge, template: "I am ${host.name}\\n" }
        """.formatted(repository.sourcesLine()));
  }

  @AfterEach
  void down() throws Exception {
    Cli.run("lab", "down", spec.toString());
    repository.close();
    LabFixture.command("rm", "-rf", dir.toString());
  }

  private Cli.Run exec(String host, String... command) throws Exception {
    // `--`: the command's own options (test -e) are not the CLI's
    String[] args = new String[5 + command.length];
    args[0] = "lab";
    args[1] = "exec";
    args[2] = spec.toString();
    args[3] = host;
    args[4] = "--";
    System.arraycopy(command, 0, args, 5, command.length);
    return Cli.run(args);
  }

  @Test
  void fiveHostsConvergeTheirBasicsOnTheirOwnAndLeaveNothingBehind() throws Exception {
    long start = System.nanoTime();
    Cli.Run up = Cli.run("lab", "up", spec.toString());
    System.out.printf("lab up of 5 hosts through the CLI: %.1f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(up.exit()).as(up.toString()).isZero();
    LabFixture.Status status = LabFixture.status(spec);
    assertThat(status.up()).isTrue();
    assertThat(status.hosts()).hasSize(5).allSatisfy(h -> assertThat(h.state()).isEqualTo("up"));

    Cli.Run converge = Cli.run("--lab", spec.toString());
    assertThat(converge.exit()).as(converge.toString()).isZero();
    assertThat(converge.out()).contains("created package/h3:converge-hello").contains("created user/h4:cvprov")
        .contains("created service/mgmt:converge-hello").contains("updated hostname/h1:hostname");
    assertThat(converge.err()).contains("every host runs the Linux drivers, whatever its os says: h2 (freebsd)");

    Cli.Run again = Cli.run("--lab", spec.toString());
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("the second converge does nothing").isEmpty();

    assertThat(exec("h1", "cat", "/etc/only-on-h1").out()).isEqualTo("h1 only\n");
    assertThat(exec("h2", "test", "-e", "/etc/only-on-h1").exit()).isEqualTo(1);
    assertThat(Path.of("/etc/only-on-h1")).doesNotExist();
    assertThat(exec("h3", "cat", "/etc/motd-converge").out()).isEqualTo("I am h3\n");
    assertThat(exec("h1", "hostname").out()).isEqualTo("h1.lab.example\n");
    assertThat(exec("h4", "sysctl", "-n", "net.ipv4.ip_forward").out()).isEqualTo("1\n");
    assertThat(exec("h2", "id", "-u", "cvdevel").out()).isEqualTo("4242\n");
    assertThat(exec("h2", "cat", "/home/cvprov/.ssh/authorized_keys").out()).contains("cvprov@test");
    assertThat(exec("mgmt", "/etc/init.d/converge-hello", "status").exit()).isZero();
    assertThat(exec("h4", "dpkg-query", "-W", "-f", "${Status}", "converge-hello").out())
        .isEqualTo("install ok installed");
    assertThat(LabFixture.command("getent", "passwd", "cvprov")).as("the machine has no such user").isEmpty();
    assertThat(Path.of("/usr/share/converge-hello")).as("the package is not on the machine").doesNotExist();

    Cli.Run down = Cli.run("lab", "down", spec.toString());
    assertThat(down.exit()).as(down.toString()).isZero();
    LabFixture.assertNothingLeft(status);
  }

  @Test
  void upTwiceChangesNothingAndAKilledUpIsCleanedByDown() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    LabFixture.Status first = LabFixture.status(spec);
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    assertThat(LabFixture.status(spec).pids()).as("the same processes: nothing was made again")
        .isEqualTo(first.pids());
    assertThat(Cli.run("lab", "down", spec.toString()).exit()).isZero();
    LabFixture.assertNothingLeft(first);

    Process up = new ProcessBuilder(Cli.command("lab", "up", spec.toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("up.log").toFile()).start();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(20))
        .until(() -> LabFixture.command("ip", "netns", "list").contains(first.prefix()));
    up.destroyForcibly().waitFor();
    Cli.Run down = Cli.run("lab", "down", spec.toString());
    assertThat(down.exit()).as(down.toString()).isZero();
    LabFixture.assertNothingLeft(first);
  }

  @Test
  void aSpecBrokenAfterUpStillTakesItsLabDown() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    LabFixture.Status status = LabFixture.status(spec);
    Files.writeString(spec, Files.readString(spec) + "hosts: {}\n");

    Cli.Run down = Cli.run("lab", "down", spec.toString());
    assertThat(down.exit()).as(down.toString()).isZero();
    assertThat(down.err()).contains("found key `hosts` a second time").contains("took down the lab recorded in");
    LabFixture.assertNothingLeft(status);
  }
}

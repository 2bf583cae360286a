package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Cidr;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lab run never contacts the spec's own addresses (documentation addresses here) or anything else outside the lab:
 * every connect() the converge process and its children make, as strace records them, goes to loopback or to the
 * lab's management network.
 */
class LabNetworkSafetyIT {

  private static final Pattern INET = Pattern.compile("connect\\(\\d+, \\{sa_family=AF_INET, sin_port=htons\\((\\d+)\\),"
      + " sin_addr=inet_addr\\(\"([0-9.]+)\"\\)");
  private static final Pattern INET6 = Pattern.compile("connect\\(\\d+, \\{sa_family=AF_INET6, sin6_port=htons\\((\\d+)\\),"
      + ".*?inet_pton\\(AF_INET6, \"([0-9a-fA-F:.]+)\"");

  private Path dir;
  private Path spec;

  @BeforeEach
  void writeSpec() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/lab-net-" + UUID.randomUUID().toString().substring(0, 8)));
    spec = dir.resolve("site.yaml");
    Files.writeString(spec, """
        site: labnet
        hosts:
          ams1: { address: 198.51.100.11, os: freebsd, ssh: { port: 2222 } }
          fra1: { address: 203.0.113.14, via: ams1 }
          far: { address: server.example.org }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[ams1, fra1], [fra1, far]] }
        files:
          - { host: ams1, path: /etc/hello, content: "hello\\n" }
          - { host: fra1, path: /etc/hello, content: "hello\\n" }
          - { host: far, path: /etc/hello, content: "hello\\n" }
        """);
  }

  @AfterEach
  void down() throws Exception {
    Cli.run("lab", "down", spec.toString());
    LabFixture.command("rm", "-rf", dir.toString());
  }

  /**
   * Bringing the lab up is traced with its programs detached as they start (the lab's hosts, traced, would keep strace
   * alive after the run), the converge that follows in full: it starts nothing that outlives it.
   */
  @Test
  void everyConnectionOfALabRunStaysInsideTheLabOrOnLoopback() throws Exception {
    List<String> connects = new ArrayList<>(traced("up", List.of("--detach-on=execve"), "lab", "up", spec.toString()));
    connects.addAll(traced("converge", List.of(), "--lab", spec.toString()));
    Cidr lab = Cidr.parse(LabFixture.status(spec).subnet());

    List<String> inside = new ArrayList<>();
    List<String> outside = new ArrayList<>();
    for (String line : connects) {
      Matcher m4 = INET.matcher(line);
      Matcher m6 = INET6.matcher(line);
      String address = m4.find() ? m4.group(2) : m6.find() ? m6.group(2) : null;
      if (address == null) {
        continue;
      }
      InetAddress a = InetAddresses.forString(address);
      (a.isLoopbackAddress() || lab.contains(a) ? inside : outside).add(line);
    }
    assertThat(outside).as("connections outside the lab and loopback").isEmpty();
    assertThat(inside).as("the run did reach the lab hosts over SSH").anyMatch(l -> l.contains("htons(22)"));
  }

  /** Runs the CLI under {@code strace -f}, which must succeed, and returns the connect() lines it recorded. */
  private List<String> traced(String name, List<String> straceOptions, String... cli) throws Exception {
    Path trace = dir.resolve(name + ".trace");
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=connect", "-o",
        trace.toString()));
    command.addAll(straceOptions);
    command.addAll(Cli.command(cli));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("strace of %s ended", name).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    return Files.readAllLines(trace);
  }
}

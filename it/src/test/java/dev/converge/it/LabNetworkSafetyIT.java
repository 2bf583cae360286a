package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Cidr;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
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

  @Test
  void everyConnectionOfALabRunStaysInsideTheLabOrOnLoopback() throws Exception {
    Path trace = dir.resolve("connect.trace");
    List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=connect", "-o",
        trace.toString()));
    command.addAll(Cli.command("--lab", spec.toString()));
    Process strace = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile()).start();
    try {
      // strace -f follows the lab's hosts too, which outlive the run: wait for converge itself, then detach strace
      ProcessHandle converge = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .until(() -> strace.children().findFirst(), Optional::isPresent).get();
      converge.onExit().get(5, TimeUnit.MINUTES);
    } finally {
      strace.destroy();
      strace.waitFor();
    }
    assertThat(Files.readString(dir.resolve("out.log"))).contains("Converged in 1 round");
    Cidr lab = Cidr.parse(LabFixture.status(spec).subnet());

    List<String> inside = new ArrayList<>();
    List<String> outside = new ArrayList<>();
    for (String line : Files.readAllLines(trace)) {
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
}

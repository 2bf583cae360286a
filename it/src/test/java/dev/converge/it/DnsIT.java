package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 000's DNS done declaratively, in the lab with real BIND and FRR: converge makes `ns` authoritative for
 * lab.test and its reverse zone, registers every host's service address, points every host's resolver at `ns`, and
 * OSPF carries the queries. Assertions ask the resolver library and dig inside the lab hosts, never converge.
 */
class DnsIT {

  private static final Map<String, String> SERVICE_ADDRESSES = Map.of(
      "ns", "172.16.3.1", "web1", "172.16.3.11", "web2", "172.16.3.12", "db", "172.16.3.21");

  private Path dir;
  private Path spec;

  @BeforeEach
  void writeSpec() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/dns-it-" + UUID.randomUUID().toString().substring(0, 8)));
    spec = dir.resolve("site.yaml");
    Path key = dir.resolve("lab.key");
    Files.writeString(key, LabFixture.command("tsig-keygen", "-a", "hmac-sha256", "lab-key"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    writeSpec(true);
  }

  private void writeSpec(boolean withWww) throws Exception {
    Files.writeString(spec, """
        site: dnsit
        secrets:
          lab-key: { file: lab.key }
        defaults:
          resolver: ns
        hosts:
          ns: { address: 198.51.100.1, loopback: 10.0.0.1/32 }
          web1: { address: 198.51.100.11, loopback: 10.0.0.11/32 }
          web2: { address: 198.51.100.12, loopback: 10.0.0.12/32 }
          db: { address: 198.51.100.21, loopback: 10.0.0.21/32 }
        networks:
          backbone:
            kind: links
            cidr: 172.16.2.0/24
            links: [[ns, web1], [ns, web2], [web2, db]]
          svc:
            kind: loopback
            interface: lo2
            cidr: 172.16.3.0/24
            addresses: { ns: [172.16.3.1], web1: [172.16.3.11], web2: [172.16.3.12], db: [172.16.3.21] }
        ospf:
          areas:
            0.0.0.0: { networks: [backbone, svc], hello: 1, dead: 3, fast-convergence: true }
        zones:
          lab.test:
            server: ns
            key: lab-key
            register: [svc]
            reverse: true
            records:
              - { name: "@", type: TXT, value: "converged by converge" }
              %s
        """.formatted(withWww ? "- { name: www, type: CNAME, value: web1 }" : ""));
  }

  @AfterEach
  void down() throws Exception {
    Cli.run("lab", "down", spec.toString());
    LabFixture.command("rm", "-rf", dir.toString());
  }

  @Test
  void aHostMadeAuthoritativeResolvesEveryHostForwardAndReverseForAllOfThem() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    long start = System.nanoTime();
    Cli.Run converge = Cli.run("--lab", spec.toString());
    System.out.printf("4 hosts, BIND + OSPF + registration: converge --lab: %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertThat(converge.exit()).as(converge.toString()).isZero();

    for (String host : SERVICE_ADDRESSES.keySet()) {
      for (var other : SERVICE_ADDRESSES.entrySet()) {
        // a host's own short name is in its /etc/hosts (127.0.1.1); the others' come from ns
        String name = other.getKey().equals(host) ? host + ".lab.test" : other.getKey();
        assertThat(exec(host, "getent", "hosts", name).out())
            .as("%s resolves %s through ns", host, name)
            .startsWith(other.getValue() + " ").contains(other.getKey() + ".lab.test");
      }
    }
    assertThat(exec("db", "dig", "+short", "-x", "172.16.3.12").out()).isEqualTo("web2.lab.test.\n");
    assertThat(exec("web2", "dig", "+short", "www.lab.test").out()).isEqualTo("web1.lab.test.\n172.16.3.11\n");
    assertThat(exec("web1", "dig", "+short", "lab.test", "TXT").out()).isEqualTo("\"converged by converge\"\n");

    start = System.nanoTime();
    Cli.Run again = Cli.run("--lab", spec.toString());
    System.out.printf("4 hosts, BIND + OSPF + registration: no-op converge: %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("the second converge does nothing").isEmpty();

    writeSpec(false);
    Cli.Run prune = Cli.run("--lab", spec.toString());
    assertThat(prune.exit()).as(prune.toString()).isZero();
    assertThat(prune.out()).contains("deleted dns-record/ns:www.lab.test/CNAME");
    assertThat(exec("web2", "dig", "+short", "www.lab.test").out()).as("the record the spec dropped is gone")
        .isEmpty();
    assertThat(exec("web2", "dig", "+short", "web1.lab.test").out()).isEqualTo("172.16.3.11\n");
  }

  private Cli.Run exec(String host, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("lab", "exec", spec.toString(), host, "--"));
    args.addAll(List.of(command));
    Cli.Run run = Cli.run(args.toArray(String[]::new));
    assertThat(run.exit()).as(run.toString()).isZero();
    return run;
  }
}

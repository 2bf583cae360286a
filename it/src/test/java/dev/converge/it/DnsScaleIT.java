package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.testing.BindServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 1,000 records through the whole pipeline (the converge jar, engine, dns-record driver) into a real BIND on loopback.
 * The number of UPDATE messages is read from BIND itself: it bumps the zone's SOA serial once per accepted UPDATE.
 */
class DnsScaleIT {

  private static final int RECORDS = 1000;

  private final BindServer bind = BindServer.serving("scale.test");
  private Path dir;
  private Path spec;

  @BeforeEach
  void start() throws Exception {
    bind.start();
    dir = Files.createDirectories(Cli.home().resolve("it/target/dns-scale-" + UUID.randomUUID().toString()
        .substring(0, 8)));
    Path key = dir.resolve("scale.key");
    Files.writeString(key, bind.keyFileText());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    StringBuilder records = new StringBuilder();
    for (int i = 0; i < RECORDS; i++) {
      records.append("      - { name: host%d, type: A, value: 10.%d.%d.%d }%n".formatted(i, i / 65536,
          (i / 256) % 256, i % 256));
    }
    spec = dir.resolve("site.yaml");
    Files.writeString(spec, """
        site: dnsscale
        secrets:
          scale-key: { file: scale.key }
        hosts:
          mgmt: { transport: local }
        zones:
          scale.test:
            server: "%s"
            key: scale-key
            records:
        %s""".formatted(bind.server(), records));
  }

  @AfterEach
  void stop() throws Exception {
    bind.close();
    LabFixture.command("rm", "-rf", dir.toString());
  }

  @Test
  void aThousandRecordsConvergeInAFewUpdatesAndTheNextRunIsOneZoneTransfer() throws Exception {
    long serialBefore = serial();
    long start = System.nanoTime();
    Cli.Run first = Cli.run(spec.toString());
    double firstSeconds = (System.nanoTime() - start) / 1e9;
    assertThat(first.exit()).as(first.toString()).isZero();
    long updates = serial() - serialBefore;
    System.out.printf("1,000 records: first converge %.1f s (converge jar, JVM start included), %d UPDATE messages%n",
        firstSeconds, updates);
    assertThat(updates).isBetween(1L, 10L);
    assertThat(bind.axfr("scale.test")).filteredOn(r -> r.contains("\tA\t10.")).hasSize(RECORDS);

    start = System.nanoTime();
    Cli.Run again = Cli.run(spec.toString());
    System.out.printf("1,000 records: no-op converge %.2f s (JVM start included)%n", (System.nanoTime() - start) / 1e9);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).isEmpty();
    assertThat(serial()).as("a no-op converge sends no UPDATE").isEqualTo(serialBefore + updates);
  }

  private long serial() {
    return Long.parseLong(bind.dig("scale.test", "SOA").get(0).split("\\s+")[2]);
  }
}

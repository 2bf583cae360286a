package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Thirty lab hosts in a chain of links, up and down through the CLI; the times are printed, never asserted. */
class LabScaleIT {

  private Path dir;
  private Path spec;

  @AfterEach
  void down() throws Exception {
    if (spec != null) {
      Cli.run("lab", "down", spec.toString());
      LabFixture.command("rm", "-rf", dir.toString());
    }
  }

  @Test
  void thirtyHostsComeUpAndGoDownLeavingNothing() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/lab-30-" + UUID.randomUUID().toString().substring(0, 8)));
    spec = dir.resolve("site.yaml");
    StringBuilder yaml = new StringBuilder("site: lab30\nhosts:\n");
    for (int i = 1; i <= 30; i++) {
      yaml.append("  h").append(i).append(": { address: 198.51.100.").append(i).append(" }\n");
    }
    yaml.append("networks:\n  chain:\n    kind: links\n    cidr: 172.16.0.0/22\n    links:\n");
    for (int i = 1; i < 30; i++) {
      yaml.append("      - [h").append(i).append(", h").append(i + 1).append("]\n");
    }
    Files.writeString(spec, yaml);

    long start = System.nanoTime();
    Cli.Run up = Cli.run("lab", "up", spec.toString());
    double upSeconds = (System.nanoTime() - start) / 1e9;
    assertThat(up.exit()).as(up.toString()).isZero();
    LabFixture.Status status = LabFixture.status(spec);
    assertThat(status.hosts()).hasSize(30).allSatisfy(h -> assertThat(h.state()).isEqualTo("up"));

    start = System.nanoTime();
    Cli.Run down = Cli.run("lab", "down", spec.toString());
    double downSeconds = (System.nanoTime() - start) / 1e9;
    assertThat(down.exit()).as(down.toString()).isZero();
    LabFixture.assertNothingLeft(status);
    System.out.printf("30 hosts: lab up %.1f s (%s), lab down %.1f s (CLI wall time, JVM start included)%n",
        upSeconds, up.err().lines().filter(l -> l.contains("ready in")).findFirst().orElse("?"), downSeconds);
  }
}

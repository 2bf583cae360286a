package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.lab.LabStatus.HostStatus;
import dev.converge.spec.Spec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chains of hosts, each linked to the next, up (every sshd answering) and down, with the times printed (figures for
 * the README; never assertions: the machine is shared).
 */
class LabScaleTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {5, 30})
  void aChainOfHosts_comesUpAnswersAndGoesDownCompletely(int hosts) {
    assumeTrue(Prerequisites.isRoot(), "the lab needs root");
    Spec spec = LabSpecs.load(dir, LabSpecs.hosts("scale" + hosts, hosts, true));
    Lab lab = Lab.of(spec, dir.resolve(".converge"));
    List<Long> processes;
    try {
      long start = System.nanoTime();
      lab.up(s -> {});
      double up = seconds(start);

      LabStatus status = lab.status();
      assertThat(status.up()).isTrue();
      assertThat(status.hosts()).hasSize(hosts).allMatch(HostStatus::sshReachable);
      start = System.nanoTime();
      lab.up(s -> {});
      double again = seconds(start);
      processes = MachineView.processesOf(lab);

      start = System.nanoTime();
      lab.down();
      double down = seconds(start);
      System.out.printf("lab of %d hosts, %d links: up (all SSH-ready) %.2f s, up again %.2f s, down %.2f s%n",
          hosts, hosts - 1, up, again, down);
    } finally {
      lab.down();
    }
    MachineView.assertNothingLeft(lab, processes);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}

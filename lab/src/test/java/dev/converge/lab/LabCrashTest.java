package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.spec.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** A lab whose {@code up} was killed with SIGKILL half-way is removed completely by {@code down}. */
class LabCrashTest {

  /** When the test kills {@code up}: as soon as it made its first namespace, or started its first host. */
  enum KillPoint {
    FIRST_NAMESPACE,
    FIRST_HOST_PROCESS
  }

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(KillPoint.class)
  void down_removesALabWhoseUpWasKilledHalfWay(KillPoint when) throws Exception {
    assumeTrue(Prerequisites.isRoot(), "the lab needs root");
    Spec spec = LabSpecs.load(dir, LabSpecs.hosts("crash", 8, true));
    Path stateDir = dir.resolve(".converge");
    Lab lab = Lab.of(spec, stateDir);
    Process up = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LabUpMain.class.getName(), dir.resolve("site.yaml").toString(),
        stateDir.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("up.log").toFile())
        .start();
    List<Long> processes;
    try {
      await(when.name()).atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(5)).until(() -> !up.isAlive()
          || (when == KillPoint.FIRST_NAMESPACE ? MachineView.namespacesOf(lab) : MachineView.hostInitsOf(lab))
              .size() > 0);
      up.destroyForcibly();
      assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
      System.out.printf("%s: killed up with %d of 8 namespaces made and %d processes in them%n", when,
          MachineView.namespacesOf(lab).size(), MachineView.processesOf(lab).size());
      assertThat(MachineView.namespacesOf(lab)).as("what the killed up left").isNotEmpty();
      processes = MachineView.processesOf(lab);
    } finally {
      up.destroyForcibly();
      lab.down();
    }

    MachineView.assertNothingLeft(lab, processes);
  }
}

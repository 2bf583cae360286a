package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands on the hosts of a spec's lab and inside their jails, through {@code converge lab exec}, as someone looking
 * at the lab would run them: what the tests assert on is what the hosts and jails themselves report.
 */
final class LabShell {

  private final Path spec;

  LabShell(Path spec) {
    this.spec = spec;
  }

  /** Runs {@code command} on {@code host}, whatever it exits with. */
  Cli.Run run(String host, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("lab", "exec", spec.toString(), host, "--"));
    args.addAll(List.of(command));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Runs {@code command} on {@code host}; it must succeed. */
  Cli.Run exec(String host, String... command) throws Exception {
    Cli.Run run = run(host, command);
    assertThat(run.exit()).as(run.toString()).isZero();
    return run;
  }

  /** Runs {@code command} in the jail's network namespace and root, as the jail's own processes see the world. */
  Cli.Run inJail(String host, String jail, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("nsenter", "--net=/run/netns/cj-" + jail, "--", "chroot",
        "/var/lib/jails/" + jail + "/root"));
    args.addAll(List.of(command));
    return exec(host, args.toArray(String[]::new));
  }

  /** The page at {@code http://SERVER/} as {@code host} gets it, once the server answers (it may still be binding). */
  String page(String host, String server) {
    List<String> out = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Cli.Run r = run(host, "curl", "-s", "-m", "2", "http://" + server + "/");
      out.clear();
      out.add(r.out());
      return r.exit() == 0;
    });
    return out.get(0);
  }

  /** Kills the jail's start process with SIGKILL, as a crash would, and returns once it is gone; its PID. */
  String killJail(String host, String jail) throws Exception {
    String pid = exec(host, "cat", "/var/lib/jails/" + jail + "/pid").out().strip();
    exec(host, "kill", "-9", pid);
    await().atMost(Duration.ofSeconds(10)).until(() -> run(host, "kill", "-0", pid).exit() != 0);
    return pid;
  }
}

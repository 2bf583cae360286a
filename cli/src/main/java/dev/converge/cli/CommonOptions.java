package dev.converge.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options every command accepts. */
public final class CommonOptions {

  @Option(names = "--lab", description = "Run against the local lab: the spec's hosts as network namespaces on this"
      + " machine (brought up first when they are not).")
  boolean lab;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "State directory (default: .converge/ beside the spec).")
  Path stateDir;

  @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "0s",
      converter = DurationConverter.class,
      description = "Wait this long for another run's state lock before giving up with exit 75 (default: ${DEFAULT-VALUE}).")
  Duration lockTimeout;

  @Option(names = "--drivers", paramLabel = "DIR",
      description = "Also load driver jars from DIR (default: $CONVERGE_DRIVERS).")
  Path drivers;

  @Option(names = "--json", description = "Print results as JSON.")
  boolean json;

  @Option(names = "--no-color", description = "Never colour output (also: NO_COLOR set, or not a terminal).")
  boolean noColor;

  @Option(names = {"-v", "--verbose"}, description = "Log what converge does to stderr; -vv for more.")
  boolean[] verbose;

  @Option(names = "--parallelism", paramLabel = "N", defaultValue = "16",
      description = "Actions and probes running at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--per-host", paramLabel = "N", defaultValue = "4",
      description = "Actions running at once on one host (default: ${DEFAULT-VALUE}).")
  int perHost;

  @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "5",
      description = "Rounds of apply and re-probe before giving up on what still differs (default: ${DEFAULT-VALUE}).")
  int maxRounds;

  @Option(names = "--timings", description = "Print how long each phase took to stderr.")
  boolean timings;

  /** The drivers directory from --drivers, else $CONVERGE_DRIVERS. */
  Optional<Path> driversDirectory() {
    if (drivers != null) {
      return Optional.of(drivers);
    }
    String env = System.getenv("CONVERGE_DRIVERS");
    return env == null || env.isBlank() ? Optional.empty() : Optional.of(Path.of(env));
  }

  /** --state-dir, else {@code .converge} in the spec file's directory. */
  Path stateDirectory(Path spec) {
    if (stateDir != null) {
      return stateDir;
    }
    Path parent = spec.toAbsolutePath().getParent();
    return parent.resolve(".converge");
  }
}

package dev.converge.state;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Another run holds the state lock and did not let go within the requested timeout. The message names the holder,
 * e.g. {@code state /x/.converge is locked by pid 4242 on mgmt since 2026-11-22T10:00:00Z (converge apply
 * specs/site.yaml); waited 10s}. The CLI maps it to exit code 75.
 */
public class StateLockedException extends Exception {

  private final Path directory;
  private final Optional<LockHolder> holder;
  private final Duration waited;

  public StateLockedException(Path directory, Optional<LockHolder> holder, Duration waited) {
    super("state " + directory + " is locked by " + holder.map(LockHolder::toString).orElse("another process")
        + "; waited " + describe(waited));
    this.directory = directory;
    this.holder = holder;
    this.waited = waited;
  }

  public Path directory() {
    return directory;
  }

  /**
   * The holder as it recorded itself in the lock file; empty only in the instant between another process taking
   * the lock and recording who it is.
   */
  public Optional<LockHolder> holder() {
    return holder;
  }

  public Duration waited() {
    return waited;
  }

  private static String describe(Duration d) {
    return d.toMillisPart() == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}

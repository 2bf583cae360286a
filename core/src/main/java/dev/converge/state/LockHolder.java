package dev.converge.state;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** Who holds a state lock: the process id, the host it runs on, when it took the lock and what it runs. */
public record LockHolder(long pid, String host, Instant since, String command) {

  public LockHolder {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(command, "command");
  }

  /** This process, taking the lock at {@code since} to run {@code command}. */
  static LockHolder currentProcess(String command, Instant since) {
    return new LockHolder(ProcessHandle.current().pid(), LocalHost.name(), since, command);
  }

  /** Reads like {@code pid 4242 on mgmt since 2026-11-22T10:00:00Z (converge apply specs/site.yaml)}. */
  @Override
  public String toString() {
    return "pid " + pid + " on " + host + " since " + since.truncatedTo(ChronoUnit.SECONDS) + " (" + command + ")";
  }
}

package dev.converge.state;

import java.time.Duration;
import java.util.Objects;

/**
 * How to take the state lock: how long to wait for another holder to let go ({@link Duration#ZERO} tries once),
 * and the command line this process runs, recorded in the lock so that a waiter can say who holds it.
 */
public record LockRequest(Duration timeout, String command) {

  public LockRequest {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(command, "command");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("lock timeout must not be negative, got " + timeout);
    }
  }
}

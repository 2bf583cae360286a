package dev.converge.execute;

import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.Optional;

/**
 * How one step of an execution ended.
 *
 * @param status what happened
 * @param message for a failure, what went wrong; for a skip, which failed dependency caused it
 * @param cause for a skip, the failed resource upstream
 */
public record Outcome(ResourceId id, Status status, String message, Optional<ResourceId> cause, Duration duration) {

  /** The fate of a step. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    SKIPPED
  }

  public static Outcome succeeded(ResourceId id, Duration took) {
    return new Outcome(id, Status.SUCCEEDED, "", Optional.empty(), took);
  }

  public static Outcome failed(ResourceId id, String message, Duration took) {
    return new Outcome(id, Status.FAILED, message, Optional.empty(), took);
  }

  public static Outcome skipped(ResourceId id, ResourceId cause, String message) {
    return new Outcome(id, Status.SKIPPED, message, Optional.of(cause), Duration.ZERO);
  }

  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }
}

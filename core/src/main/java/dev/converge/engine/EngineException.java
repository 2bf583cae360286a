package dev.converge.engine;

/**
 * A run could not start or had to stop as a whole: no driver for a kind, a stale saved plan, a compile error. The
 * message is for the user.
 */
public class EngineException extends Exception {

  /** What kind of failure, so the command line can pick an exit code. */
  public enum Kind {
    /** The spec is valid YAML but cannot be compiled (cycle, full network): exit 65. */
    INVALID_SPEC,
    /** A saved plan no longer matches reality. */
    STALE_PLAN,
    /** Anything else that stops the run (missing driver, state error, unreadable secret). */
    FAILED
  }

  private final Kind kind;

  public EngineException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public EngineException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}

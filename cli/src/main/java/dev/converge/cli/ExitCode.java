package dev.converge.cli;

/** The exit statuses of every command, as the README documents them. */
public final class ExitCode {

  /** Converged; validate: valid; plan: no changes. */
  public static final int OK = 0;
  /** Failed or not converged; plan: an error. */
  public static final int FAILED = 1;
  /** plan: there are changes. */
  public static final int CHANGES = 2;
  /** Bad command-line usage (BSD sysexits EX_USAGE). */
  public static final int USAGE = 64;
  /** The spec is invalid (EX_DATAERR). */
  public static final int INVALID_SPEC = 65;
  /** The state lock is held by another run (EX_TEMPFAIL). */
  public static final int LOCKED = 75;
  /** Interrupted (SIGINT/SIGTERM) before the run finished. */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}

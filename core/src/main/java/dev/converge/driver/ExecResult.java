package dev.converge.driver;

import java.nio.charset.StandardCharsets;

/** The outcome of a {@link Command}: exit status and both output streams, complete. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {

  public boolean ok() {
    return exitCode == 0;
  }

  public String out() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String err() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  /** This result if the command succeeded, else a {@link TransportException} naming {@code what} and stderr. */
  public ExecResult orThrow(String what) throws TransportException {
    if (!ok()) {
      String e = err().strip();
      throw new TransportException(what + " failed (exit " + exitCode + ")" + (e.isEmpty() ? "" : ": " + e));
    }
    return this;
  }
}

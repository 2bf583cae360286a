package dev.converge.driver;

import java.nio.charset.StandardCharsets;
import java.util.List;

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

  /**
   * For an error message: {@code ": STDERR"} (stdout when stderr is empty), trimmed to its last 8 lines; empty when
   * both are.
   */
  public String details() {
    String text = err().strip().isEmpty() ? out().strip() : err().strip();
    if (text.isEmpty()) {
      return "";
    }
    List<String> lines = text.lines().toList();
    return ": " + String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
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

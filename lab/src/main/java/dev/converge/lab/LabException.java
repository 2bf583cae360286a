package dev.converge.lab;

import java.util.Optional;

/**
 * The lab could not do what was asked. The message says what failed and, when one host is at fault, names it and
 * ends with the last lines of that host's console log (its init script and sshd write there).
 */
public class LabException extends RuntimeException {

  private final String host;

  public LabException(String message) {
    this(null, message, null);
  }

  public LabException(String message, Throwable cause) {
    this(null, message, cause);
  }

  LabException(String host, String message, Throwable cause) {
    super(message, cause);
    this.host = host;
  }

  /** The lab host this failure is about, if it is about one. */
  public Optional<String> host() {
    return Optional.ofNullable(host);
  }
}

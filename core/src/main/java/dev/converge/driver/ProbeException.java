package dev.converge.driver;

/** A driver could not read the actual state of a batch; the message is for the user. */
public class ProbeException extends Exception {

  public ProbeException(String message) {
    super(message);
  }

  public ProbeException(String message, Throwable cause) {
    super(message, cause);
  }
}

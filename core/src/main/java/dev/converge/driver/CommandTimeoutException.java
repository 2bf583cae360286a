package dev.converge.driver;

/** A command outlived its {@link Command#timeout()}; the transport stopped waiting for it. */
public class CommandTimeoutException extends TransportException {

  public CommandTimeoutException(String message) {
    super(message);
  }
}

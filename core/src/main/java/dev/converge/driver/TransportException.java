package dev.converge.driver;

import java.io.IOException;

/** A host could not be reached, refused us, or the connection died; the message is for the user. */
public class TransportException extends IOException {

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}

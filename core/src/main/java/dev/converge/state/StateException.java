package dev.converge.state;

/**
 * The state directory cannot be read or written as asked: a corrupt or unknown-format file, a state that belongs to
 * another site or lineage, or an I/O failure. The message names the file and says what was found and expected.
 */
public class StateException extends Exception {

  public StateException(String message) {
    super(message);
  }

  public StateException(String message, Throwable cause) {
    super(message, cause);
  }
}

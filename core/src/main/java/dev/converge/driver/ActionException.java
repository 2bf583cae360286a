package dev.converge.driver;

/** A driver could not carry out an action; the message is for the user. */
public class ActionException extends Exception {

  public ActionException(String message) {
    super(message);
  }

  public ActionException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.converge.spec;

/**
 * A secret whose value cannot be had: not defined, file missing or unreadable, variable unset, empty. The message
 * names the secret and where it is defined ({@code file:line:column}), never any part of a value.
 */
public class SecretException extends RuntimeException {

  public SecretException(String message) {
    super(message);
  }

  public SecretException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.converge.compile;

/**
 * The spec is valid but cannot be compiled: a dependency cycle, a full network, a secret that cannot be read, a
 * template that cannot be rendered. The message names where, for the user.
 */
public class CompileException extends Exception {

  public CompileException(String message) {
    super(message);
  }

  public CompileException(String message, Throwable cause) {
    super(message, cause);
  }
}

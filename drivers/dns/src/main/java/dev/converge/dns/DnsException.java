package dev.converge.dns;

import java.util.Optional;

/**
 * A DNS exchange failed: the server could not be reached, did not answer in time, answered with an error or with a
 * response whose TSIG signature does not hold. The message is for the user: it names the server and the key, never
 * the secret.
 */
public class DnsException extends Exception {

  private final Optional<String> rcode;

  public DnsException(String message) {
    this(message, Optional.empty(), null);
  }

  public DnsException(String message, Throwable cause) {
    this(message, Optional.empty(), cause);
  }

  DnsException(String message, Optional<String> rcode, Throwable cause) {
    super(message, cause);
    this.rcode = rcode;
  }

  /** The response code (NOTAUTH, REFUSED, BADKEY…) when the server answered with an error. */
  public Optional<String> rcode() {
    return rcode;
  }
}

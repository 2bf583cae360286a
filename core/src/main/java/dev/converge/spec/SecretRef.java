package dev.converge.spec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a secret's value is kept: a file (absolute; relative ones are taken from the spec file's directory) or an
 * environment variable. Exactly one is set. The value itself is read only when used and never stored.
 *
 * @param generate what to write to the file, mode 0600, when it does not exist yet; only with {@code file}
 */
public record SecretRef(String name, Location location, Optional<Path> file, Optional<String> env,
    Optional<Generated> generate) {

  /**
   * A value converge makes itself the first time it is needed, like Ansible's {@code password} lookup; the spec
   * writes it in lower case with {@code -} ({@code tsig-key}).
   */
  public enum Generated {
    /** {@code tsig-keygen -a hmac-sha256 NAME} output: a 256-bit key named after the secret. */
    TSIG_KEY,
    /** 32 random characters of {@code [A-Za-z0-9]}. */
    PASSWORD
  }

  public SecretRef {
    if (file.isPresent() == env.isPresent()) {
      throw new IllegalArgumentException("secret " + name + ": exactly one of file and env");
    }
    if (generate.isPresent() && file.isEmpty()) {
      throw new IllegalArgumentException("secret " + name + ": generate needs a file");
    }
  }
}

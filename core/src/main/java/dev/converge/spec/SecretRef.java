package dev.converge.spec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a secret's value is kept: a file (absolute; relative ones are taken from the spec file's directory) or an
 * environment variable. Exactly one is set. The value itself is read only when used and never stored.
 */
public record SecretRef(String name, Location location, Optional<Path> file, Optional<String> env) {

  public SecretRef {
    if (file.isPresent() == env.isPresent()) {
      throw new IllegalArgumentException("secret " + name + ": exactly one of file and env");
    }
  }
}

package dev.converge.spec;

import java.util.List;
import java.util.Optional;

/**
 * A file on a host. Exactly one of literal {@code content} and {@code template} is set unless {@code absent}.
 *
 * @param path absolute and normalised
 * @param mode permission bits; empty means 0644 (0600 when the content uses a secret)
 * @param owner user name; empty leaves the transport user's
 * @param absent {@code state: absent}: the file must not exist (deleted even if converge did not create it)
 */
public record FileSpec(
    String host,
    String path,
    Location location,
    Optional<String> content,
    Optional<Template> template,
    Optional<Integer> mode,
    Optional<String> owner,
    Optional<String> group,
    boolean absent,
    List<Reference> requires) {

  public FileSpec {
    requires = List.copyOf(requires);
  }
}

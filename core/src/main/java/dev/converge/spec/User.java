package dev.converge.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A user on a host or in a jail: the Reggae-style provision user (an authorised SSH key and sudo rights), a devel user
 * with fixed ids, or any account a service needs.
 *
 * @param sshKey a public key file on the machine converge runs on, authorised for this user
 * @param groups supplementary groups
 */
public record User(String name, Optional<Path> sshKey, boolean sudo, Optional<Integer> uid, Optional<Integer> gid,
    List<String> groups, Optional<String> shell) {

  public User {
    groups = List.copyOf(groups);
  }

  /** A user with no settings: it only has to exist. */
  public static User named(String name) {
    return new User(name, Optional.empty(), false, Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }
}

package dev.converge.files;

import java.util.Objects;
import java.util.Optional;

/**
 * What one stat of an existing path found.
 *
 * @param permissions the low 12 bits of {@code st_mode}: permissions plus setuid, setgid and sticky
 * @param uid the owner's number, as text
 * @param user the owner's name ({@code UNKNOWN} or the number when the host has no name for it)
 * @param sha256 lower-case hex digest of the content, for regular files only
 */
record FileState(
    FileType type, int permissions, long size, String uid, String gid, String user, String group,
    Optional<String> sha256) {

  FileState {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(gid, "gid");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** Four octal digits, as the {@code mode} property and chmod(1) write it. */
  String mode() {
    return FileMode.format(permissions);
  }
}

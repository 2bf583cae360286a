package dev.converge.freebsd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A user as the probe saw it: its passwd(5) entry ({@code getent passwd}: name:password:uid:gid:gecos:home:shell),
 * its groups ({@code id -gn}, {@code id -Gn}), its authorized_keys lines, the permissions and uid of {@code ~/.ssh} and
 * of that file ({@code "700 1001"}, in that order) and the lines of its converge sudoers file.
 */
record UserState(long uid, long gid, String home, String shell, List<String> supplementaryGroups,
    List<String> authorizedKeys, List<String> sshPermissions, List<String> sudoers) {

  UserState {
    supplementaryGroups = List.copyOf(supplementaryGroups);
    authorizedKeys = List.copyOf(authorizedKeys);
    sshPermissions = List.copyOf(sshPermissions);
    sudoers = List.copyOf(sudoers);
  }

  /**
   * The state from one section of the user probe; empty when the user does not exist.
   *
   * @throws IllegalStateException when the passwd entry is not in passwd(5) form
   */
  static Optional<UserState> of(ProbeOutput.Section s) {
    Optional<String> passwd = s.first("passwd");
    if (passwd.isEmpty()) {
      return Optional.empty();
    }
    String[] f = passwd.get().split(":", -1);
    if (f.length != 7) {
      throw new IllegalStateException("unexpected passwd entry `" + passwd.get() + "` (expected 7 fields)");
    }
    long uid;
    long gid;
    try {
      uid = Long.parseLong(f[2]);
      gid = Long.parseLong(f[3]);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("unexpected passwd entry `" + passwd.get() + "` (uid and gid not numbers)");
    }
    String primary = s.first("group").orElse("");
    List<String> groups = new ArrayList<>();
    for (String g : s.first("groups").orElse("").split(" ")) {
      if (!g.isEmpty() && !g.equals(primary) && !groups.contains(g)) {
        groups.add(g);
      }
    }
    List<String> keys = s.all("key").stream().map(String::strip).filter(k -> !k.isEmpty()).toList();
    return Optional.of(new UserState(uid, gid, f[5], f[6], groups, keys, s.all("perm"), s.all("sudo")));
  }
}

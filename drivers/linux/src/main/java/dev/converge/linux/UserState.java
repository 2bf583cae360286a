package dev.converge.linux;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One user as the user probe prints it. For each user in order, either four lines (the account exists):
 *
 * <pre>
 * user    TAB NAME:x:UID:GID:GECOS:HOME:SHELL      its passwd entry (getent)
 * groups  TAB PRIMARY TAB GROUP GROUP ...          its primary group and all its groups (id -gn, id -Gn)
 * keys    TAB MODE OWNER TAB MODE OWNER TAB BASE64 ~/.ssh, ~/.ssh/authorized_keys (- for missing ones), its content
 * sudo    TAB MODE TAB BASE64                      /etc/sudoers.d/converge-NAME (- and - when missing)
 * </pre>
 *
 * or two ({@code none}, then the {@code sudo} line, since a leftover sudoers file matters to a delete).
 *
 * @param account empty when the user does not exist
 * @param sudoers converge's sudoers file for the user, when it exists
 */
record UserState(Optional<Account> account, Optional<OwnedFile> sudoers) {

  /** An existing account: its passwd fields, groups, and its authorized_keys with the attributes that matter. */
  record Account(long uid, long gid, String home, String shell, String primaryGroup, List<String> groups,
      Optional<OwnedFile> sshDirectory, Optional<OwnedFile> authorizedKeys) {

    /** The supplementary groups, sorted: every group of the user but its primary one. */
    List<String> supplementaryGroups() {
      return groups.stream().filter(g -> !g.equals(primaryGroup)).distinct().sorted().toList();
    }
  }

  /** A file's permission bits (octal, as stat %a prints them), owner name and, for files that are read, content. */
  record OwnedFile(String mode, String owner, String content) {}

  static List<UserState> parse(String output, List<String> users) {
    List<String> lines = output.lines().toList();
    List<UserState> states = new ArrayList<>(users.size());
    int at = 0;
    for (String user : users) {
      String first = line(lines, at++, user);
      Optional<Account> account = Optional.empty();
      if (first.startsWith("user\t")) {
        account = Optional.of(account(user, first, line(lines, at++, user), line(lines, at++, user)));
      } else if (!first.equals("none")) {
        throw new IllegalStateException(user + ": unexpected line `" + first + "`");
      }
      String[] sudo = fields(line(lines, at++, user), "sudo", 3, user);
      Optional<OwnedFile> sudoers = sudo[1].equals(Base64Text.MISSING) ? Optional.empty()
          : Optional.of(new OwnedFile(sudo[1], "root", Base64Text.decode(sudo[2], UserDriver.sudoersFile(user))));
      states.add(new UserState(account, sudoers));
    }
    if (at != lines.size()) {
      throw new IllegalStateException("expected " + at + " lines, found " + lines.size());
    }
    return states;
  }

  private static Account account(String user, String passwdLine, String groupsLine, String keysLine) {
    String[] p = passwdLine.substring("user\t".length()).split(":", -1);
    if (p.length != 7 || !p[0].equals(user)) {
      throw new IllegalStateException(user + ": unexpected passwd entry `" + passwdLine + "`");
    }
    long uid;
    long gid;
    try {
      uid = Long.parseLong(p[2]);
      gid = Long.parseLong(p[3]);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(user + ": unexpected passwd entry `" + passwdLine + "`", e);
    }
    String[] g = fields(groupsLine, "groups", 3, user);
    List<String> groups = g[2].isBlank() ? List.of() : Arrays.asList(g[2].trim().split(" +"));
    String[] k = fields(keysLine, "keys", 4, user);
    Optional<OwnedFile> dir = attributes(k[1], "", user);
    Optional<OwnedFile> keys = attributes(k[2], k[3].equals(Base64Text.MISSING) ? ""
        : Base64Text.decode(k[3], p[5] + "/.ssh/authorized_keys"), user);
    return new Account(uid, gid, p[5], p[6], g[1], List.copyOf(groups), dir, keys);
  }

  private static Optional<OwnedFile> attributes(String modeAndOwner, String content, String user) {
    if (modeAndOwner.equals(Base64Text.MISSING)) {
      return Optional.empty();
    }
    String[] f = modeAndOwner.split(" ");
    if (f.length != 2) {
      throw new IllegalStateException(user + ": unexpected mode and owner `" + modeAndOwner + "`");
    }
    return Optional.of(new OwnedFile(f[0], f[1], content));
  }

  private static String[] fields(String line, String tag, int count, String user) {
    String[] f = line.split("\t", -1);
    if (f.length != count || !f[0].equals(tag)) {
      throw new IllegalStateException(user + ": expected a `" + tag + "` line, found `" + line + "`");
    }
    return f;
  }

  private static String line(List<String> lines, int index, String user) {
    if (index >= lines.size()) {
      throw new IllegalStateException(user + ": the output ends early (" + lines.size() + " lines)");
    }
    return lines.get(index);
  }
}

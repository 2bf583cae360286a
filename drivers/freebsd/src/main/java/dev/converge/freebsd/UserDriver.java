package dev.converge.freebsd;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code user} resource on FreeBSD, through pw(8), with its authorized SSH keys and passwordless sudo.
 *
 * <p><b>Resource.</b> Id {@code user/HOST:NAME}; properties, each managed only when set: {@code uid}, {@code gid}
 * (numbers), {@code shell} (absolute path), {@code groups} (supplementary groups, the complete list, in any order),
 * {@code authorized-keys} (key lines: converge owns the user's whole {@code ~/.ssh/authorized_keys}) and
 * {@code sudo} (a file {@code /usr/local/etc/sudoers.d/converge-NAME} granting {@code NAME ALL=(ALL:ALL) NOPASSWD:
 * ALL}).
 *
 * <p><b>Probe.</b> One exec for the batch prints, per user, its passwd entry ({@code getent passwd}), its primary
 * and all groups ({@code id -gn}, {@code id -Gn}), its authorized_keys with the permissions and owner of the file
 * and of {@code ~/.ssh} (FreeBSD {@code stat -f '%Lp %u'}: permission bits in octal, uid), and its converge
 * sudoers file.
 *
 * <p><b>Apply.</b> Create: the group of a desired gid when no group has it ({@code pw groupadd -n NAME -g GID}),
 * then {@code pw useradd -n NAME -m} with the desired ids, shell and groups. Update: {@code pw usermod} with only the
 * fields that differ. Keys: {@code ~/.ssh} made 0700 and owned by the user ({@code install -d}; a symbolic link
 * there is refused), then the file written atomically, 0600, owned by the user. Sudo: the file is written beside
 * its place under a name sudo skips (it contains a dot), checked with {@code visudo -cf}, then moved into place;
 * {@code sudo: false} removes it. Delete, like Ansible's {@code state: absent}: {@code pw userdel -n NAME} (the home
 * directory stays) and the sudoers file removed.
 */
public final class UserDriver implements Driver {

  public static final String KIND = "user";
  public static final String UID = "uid";
  public static final String GID = "gid";
  public static final String SHELL = "shell";
  public static final String GROUPS = "groups";
  public static final String AUTHORIZED_KEYS = "authorized-keys";
  public static final String SUDO = "sudo";

  static final String SUDOERS_DIRECTORY = "/usr/local/etc/sudoers.d";
  static final String VISUDO = "/usr/local/sbin/visudo";

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  private static final Pattern SHELL_PATH = Pattern.compile("/[A-Za-z0-9._+/-]{1,254}");
  private static final long MAX_ID = 2147483647L;

  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      for u do
        printf '= %s\\n' "$u"
        pw=$(getent passwd "$u") || continue
        printf 'passwd %s\\n' "$pw"
        printf 'group %s\\n' "$(id -gn "$u")"
        printf 'groups %s\\n' "$(id -Gn "$u")"
        home=${pw#*:*:*:*:*:}; home=${home%%:*}
        if [ -f "$home/.ssh/authorized_keys" ]; then
          lines key < "$home/.ssh/authorized_keys"
          stat -f '%Lp %u' "$home/.ssh" "$home/.ssh/authorized_keys" | lines perm
        fi
        if [ -f /usr/local/etc/sudoers.d/converge-"$u" ]; then lines sudo < /usr/local/etc/sudoers.d/converge-"$u"; fi
      done
      exit 0
      """;

  /** $1 home, $2 uid, $3 gid: makes ~/.ssh the user's, 0700, never through a symbolic link. */
  static final String SSH_DIRECTORY_SCRIPT = """
      [ -d "$1" ] || { echo "home directory $1 does not exist" >&2; exit 1; }
      [ ! -L "$1/.ssh" ] || { echo "$1/.ssh is a symbolic link; converge will not follow it" >&2; exit 1; }
      exec install -d -m 0700 -o "$2" -g "$3" "$1/.ssh"
      """;

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  static String sudoersLine(String user) {
    return user + " ALL=(ALL:ALL) NOPASSWD: ALL";
  }

  static String sudoersPath(String user) {
    return SUDOERS_DIRECTORY + "/converge-" + user;
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (Resource r : batch) {
      if (!NAME.matcher(r.id().name()).matches()) {
        throw new ProbeException(invalidName(r.id().name(), target.name()));
      }
      names.add(r.id().name());
    }
    ExecResult r = Remote.forProbe(target, "users").probe(ProbeOutput.script(SCRIPT, names), "users");
    ProbeOutput out = ProbeOutput.parse(r.out());
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      String name = res.id().name();
      ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ProbeException("cannot probe users on "
          + target.name() + ": no answer for `" + name + "`" + Remote.detail(r)));
      Optional<UserState> state;
      try {
        state = UserState.of(s);
      } catch (IllegalStateException e) {
        throw new ProbeException("user `" + name + "` on " + target.name() + ": " + e.getMessage(), e);
      }
      observations.add(state.isEmpty()
          ? Observation.absent(res.id())
          : Observation.present(res.id(), observe(name, res.properties(), state.get())));
    }
    return observations;
  }

  private static Properties observe(String name, Properties want, UserState state) {
    Properties.Builder b = Properties.builder()
        .put(UID, state.uid())
        .put(GID, state.gid())
        .put(SHELL, state.shell())
        .put(SUDO, state.sudoers().equals(List.of(sudoersLine(name))));
    want.get(GROUPS).ifPresent(g -> b.put(GROUPS, sameSetInOrder(g, state.supplementaryGroups())));
    if (want.get(AUTHORIZED_KEYS).isPresent()) {
      b.put(AUTHORIZED_KEYS, observedKeys(state));
    }
    return b.build();
  }

  /**
   * The key lines, plus a line saying what is wrong when ~/.ssh or the file has other permissions or owner than
   * sshd's StrictModes accepts and converge sets: such keys are ignored by sshd, so they count as different.
   */
  private static List<String> observedKeys(UserState state) {
    List<String> expected = List.of("700 " + state.uid(), "600 " + state.uid());
    if (state.sshPermissions().isEmpty() || state.sshPermissions().equals(expected)) {
      return state.authorizedKeys();
    }
    List<String> keys = new ArrayList<>(state.authorizedKeys());
    keys.add("(~/.ssh and authorized_keys are mode and uid " + String.join(", ", state.sshPermissions())
        + ": expected " + String.join(", ", expected) + ")");
    return keys;
  }

  /** The actual groups, in the desired order when they are the same set (the order of groups means nothing). */
  private static List<String> sameSetInOrder(Object wanted, List<String> actual) {
    if (wanted instanceof List<?> w && w.size() == actual.size() && new HashSet<>(w).equals(new HashSet<>(actual))) {
      return w.stream().map(String::valueOf).toList();
    }
    return actual;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.id().name();
    if (!NAME.matcher(name).matches()) {
      throw new ActionException(invalidName(name, target.name()));
    }
    String what = "user `" + name + "`";
    Remote remote = Remote.forAction(target, what);
    if (!change.desired().isPresent()) {
      remote.run(Command.of("pw", "userdel", "-n", name), what);
      remote.run(Command.of("rm", "-f", "--", sudoersPath(name)), what);
      return;
    }
    Wanted want = Wanted.of(name, target.name(), change.desired().properties());
    boolean exists = change.observed().isPresent();
    if (want.gid().isPresent() && change.touches(GID)) {
      ensureGroup(remote, name, want.gid().get(), what);
    }
    List<String> account = new ArrayList<>(List.of("pw", exists ? "usermod" : "useradd", "-n", name));
    if (!exists) {
      account.add("-m");
    }
    want.uid().filter(u -> change.touches(UID)).ifPresent(u -> account.addAll(List.of("-u", Long.toString(u))));
    want.gid().filter(g -> change.touches(GID)).ifPresent(g -> account.addAll(List.of("-g", Long.toString(g))));
    want.shell().filter(s -> change.touches(SHELL)).ifPresent(s -> account.addAll(List.of("-s", s)));
    want.groups().filter(g -> change.touches(GROUPS)).ifPresent(g -> account.addAll(List.of("-G", String.join(",",
        g))));
    if (!exists || account.size() > 4) {
      remote.run(Command.of(account), what);
    }
    if (want.authorizedKeys().isPresent() && change.touches(AUTHORIZED_KEYS)) {
      writeKeys(remote, name, want.authorizedKeys().get(), what);
    }
    if (change.touches(SUDO)) {
      if (want.sudo()) {
        writeSudoers(remote, name, what);
      } else if (exists) {
        remote.run(Command.of("rm", "-f", "--", sudoersPath(name)), what);
      }
    }
  }

  private static void ensureGroup(Remote remote, String name, long gid, String what) throws ActionException {
    if (!remote.exec(Command.of("getent", "group", Long.toString(gid)), what).ok()) {
      remote.run(Command.of("pw", "groupadd", "-n", name, "-g", Long.toString(gid)), what);
    }
  }

  private static void writeKeys(Remote remote, String name, List<String> keys, String what) throws ActionException {
    ExecResult entry = remote.run(Command.of("getent", "passwd", name), what);
    String[] f = entry.out().strip().split(":", -1);
    if (f.length != 7 || !f[5].startsWith("/")) {
      throw new ActionException(what + " on " + remote.host() + ": unexpected passwd entry `" + entry.out().strip()
          + "` (expected name:password:uid:gid:gecos:home:shell)");
    }
    String home = f[5];
    remote.run(ProbeOutput.script(SSH_DIRECTORY_SCRIPT, List.of(home, f[2], f[3])), what + " (~/.ssh)");
    remote.write(home + "/.ssh/authorized_keys", String.join("\n", keys) + "\n",
        new FileAttributes(0600, Optional.of(f[2]), Optional.of(f[3])), what);
  }

  private static void writeSudoers(Remote remote, String name, String what) throws ActionException {
    String staged = SUDOERS_DIRECTORY + "/.converge-" + name + ".new";
    try {
      remote.write(staged, sudoersLine(name) + "\n", FileAttributes.mode(0440), what);
    } catch (ActionException e) {
      throw new ActionException(e.getMessage() + " (sudo needs the sudo package, which creates "
          + SUDOERS_DIRECTORY + ")", e);
    }
    ExecResult check = remote.exec(Command.of(VISUDO, "-cf", staged), what);
    if (!check.ok()) {
      remote.run(Command.of("rm", "-f", "--", staged), what);
      throw new ActionException(what + " on " + remote.host() + ": visudo rejected the sudoers file (exit "
          + check.exitCode() + ")" + Remote.detail(check) + "; nothing was installed");
    }
    remote.run(Command.of("mv", "-f", "--", staged, sudoersPath(name)), what);
  }

  private static String invalidName(String name, String host) {
    return "user `" + name + "` on " + host
        + ": not a user name (expected lower-case letters, digits, `_` and `-`, starting with a letter or `_`)";
  }

  /** The desired properties, checked before anything runs. */
  private record Wanted(Optional<Long> uid, Optional<Long> gid, Optional<String> shell,
      Optional<List<String>> groups, Optional<List<String>> authorizedKeys, boolean sudo) {

    static Wanted of(String user, String host, Properties p) throws ActionException {
      String where = "user `" + user + "` on " + host;
      Optional<Long> uid = id(p, UID, where);
      Optional<Long> gid = id(p, GID, where);
      Optional<String> shell = p.string(SHELL);
      if (shell.isPresent() && !SHELL_PATH.matcher(shell.get()).matches()) {
        throw new ActionException(where + ": shell `" + shell.get() + "` is not an absolute path");
      }
      Optional<List<String>> groups = list(p, GROUPS, where);
      for (String g : groups.orElse(List.of())) {
        if (!NAME.matcher(g).matches()) {
          throw new ActionException(where + ": `" + g + "` in groups is not a group name");
        }
      }
      Optional<List<String>> keys = list(p, AUTHORIZED_KEYS, where);
      for (String k : keys.orElse(List.of())) {
        if (k.isBlank() || k.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
          throw new ActionException(where + ": an authorized key must be one non-empty line");
        }
      }
      return new Wanted(uid, gid, shell, groups, keys, p.get(SUDO).equals(Optional.of(true)));
    }

    private static Optional<Long> id(Properties p, String field, String where) throws ActionException {
      Optional<Object> v = p.get(field);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      if (!(v.get() instanceof Long l) || l < 0 || l > MAX_ID) {
        throw new ActionException(where + ": " + field + " `" + v.get() + "` is not a number from 0 to " + MAX_ID);
      }
      return Optional.of(l);
    }

    private static Optional<List<String>> list(Properties p, String field, String where) throws ActionException {
      Optional<Object> v = p.get(field);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      if (!(v.get() instanceof List<?> l) || !l.stream().allMatch(String.class::isInstance)) {
        throw new ActionException(where + ": " + field + " must be a list of strings");
      }
      return Optional.of(l.stream().map(String.class::cast).toList());
    }
  }
}

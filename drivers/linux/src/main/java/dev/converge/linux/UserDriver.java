package dev.converge.linux;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.linux.UserState.Account;
import dev.converge.linux.UserState.OwnedFile;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code user} resource ({@code user/HOST:NAME}). Properties, each managed only when the spec sets it:
 * {@code uid} and {@code gid} (numbers; the primary group is made first, named as the user, when no group has that
 * gid), {@code shell}, {@code groups} (the supplementary groups, exactly), {@code authorized-keys} (the key lines of
 * {@code ~/.ssh/authorized_keys}, a file converge owns whole, 0600 in a 0700 {@code ~/.ssh}, both the user's) and
 * {@code sudo} (true: {@code /etc/sudoers.d/converge-NAME}, 0440, {@code NAME ALL=(ALL:ALL) NOPASSWD: ALL}, checked
 * with {@code visudo -cf} before it is moved into place; false: no such file).
 *
 * <p><b>Probe.</b> One exec for the batch: getent, id, stat and the two files per user. Groups that match the
 * desired ones in another order are reported in the desired order; a key file or sudoers file with the right text
 * but the wrong mode or owner is reported with what is wrong, so the plan says why it rewrites it.
 *
 * <p><b>Apply.</b> Create: {@code useradd -m} (or {@code usermod} with every option, when a package installed
 * after the probe made the user meanwhile); update: {@code usermod} with only the options that differ (and
 * {@code groupmod}/{@code groupadd} for a new gid); then the key and sudoers files when they differ. Delete:
 * {@code userdel} (the home directory stays, as with Ansible's default) and the sudoers file.
 */
public final class UserDriver implements Driver {

  public static final String KIND = "user";
  public static final String UID = "uid";
  public static final String GID = "gid";
  public static final String SHELL = "shell";
  public static final String GROUPS = "groups";
  public static final String AUTHORIZED_KEYS = "authorized-keys";
  public static final String SUDO = "sudo";

  static final String SUDOERS_DIRECTORY = "/etc/sudoers.d/";

  static final String PROBE = """
      for u do
        if p=$(getent passwd "$u"); then
          printf 'user\\t%s\\n' "$p"
          printf 'groups\\t%s\\t%s\\n' "$(id -gn "$u" 2>/dev/null)" "$(id -Gn "$u" 2>/dev/null)"
          home=$(printf '%s' "$p" | cut -d: -f6)
          d=$(stat -c '%a %U' "$home/.ssh" 2>/dev/null) || d=-
          k=$home/.ssh/authorized_keys
          if [ -f "$k" ]; then km=$(stat -c '%a %U' "$k"); kc=$(base64 -w0 < "$k"); else km=-; kc=-; fi
          printf 'keys\\t%s\\t%s\\t%s\\n' "$d" "$km" "$kc"
        else
          echo none
        fi
        s=/etc/sudoers.d/converge-$u
        if [ -f "$s" ]; then printf 'sudo\\t%s\\t%s\\n' "$(stat -c %a "$s")" "$(base64 -w0 < "$s")"; else
          printf 'sudo\\t-\\t-\\n'; fi
      done
      """;

  /**
   * $1 the user, $2 the gid wanted ("" to leave it), then the options of useradd or usermod, whichever applies now:
   * a package installed after the probe may have made the user. The group comes first: with that gid when there is
   * none (renumbering the user's own group if it exists), or the user's own group when one is left over, since
   * useradd refuses to make a group that exists.
   */
  private static final String ACCOUNT = """
      set -eu
      u=$1 gid=$2
      shift 2
      if getent passwd "$u" >/dev/null; then tool=usermod; else tool=useradd; fi
      if [ -n "$gid" ]; then
        if ! getent group "$gid" >/dev/null; then
          if getent group "$u" >/dev/null; then groupmod -g "$gid" "$u"; else groupadd -g "$gid" "$u"; fi
        fi
        set -- -g "$gid" "$@"
      elif [ "$tool" = useradd ] && getent group "$u" >/dev/null; then
        set -- -g "$u" "$@"
      fi
      if [ "$tool" = useradd ]; then set -- -m "$@"; fi
      [ $# -eq 0 ] || exec "$tool" "$@" "$u"
      """;

  /** $1 the user; stdin the keys. ~/.ssh is made (or fixed) 0700 and the file replaced atomically, both the user's. */
  private static final String KEYS = """
      set -eu
      u=$1
      home=$(getent passwd "$u" | cut -d: -f6)
      g=$(id -g "$u")
      install -d -m 700 -o "$u" -g "$g" "$home/.ssh"
      tmp=$(mktemp "$home/.ssh/.converge.XXXXXX")
      trap 'rm -f -- "$tmp"' EXIT
      cat > "$tmp"
      chown "$u:$g" "$tmp"
      chmod 600 "$tmp"
      mv -f -- "$tmp" "$home/.ssh/authorized_keys"
      trap - EXIT
      """;

  /** $1 the user; stdin the rule. The temp file's name has a dot, so sudo ignores it until it is checked and moved. */
  private static final String SUDOERS = """
      set -eu
      command -v visudo >/dev/null || { echo 'visudo not found: the sudo package is not installed' >&2; exit 3; }
      [ -d /etc/sudoers.d ] || { echo '/etc/sudoers.d does not exist' >&2; exit 3; }
      tmp=$(mktemp /etc/sudoers.d/.converge.XXXXXX)
      trap 'rm -f -- "$tmp"' EXIT
      cat > "$tmp"
      chmod 440 "$tmp"
      visudo -cf "$tmp" >/dev/null
      mv -f -- "$tmp" "/etc/sudoers.d/converge-$1"
      trap - EXIT
      """;

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux");
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> users = Names.ACCOUNT.requireAll(batch, "user", target);
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE, "sh"));
    argv.addAll(users);
    ExecResult r = Remote.probe(target, Command.of(argv), KIND);
    List<UserState> states;
    try {
      states = UserState.parse(r.out(), users);
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe users on " + target.name() + ": " + e.getMessage() + r.details(),
          e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      observations.add(observe(batch.get(i), states.get(i)));
    }
    return observations;
  }

  private static Observation observe(Resource resource, UserState state) {
    if (state.account().isEmpty()) {
      // A sudoers file left behind by a deleted user is still converge's to remove.
      return !resource.isPresent() && state.sudoers().isPresent()
          ? Observation.present(resource.id(), Properties.builder().put(SUDO, sudo(state, resource)).build())
          : Observation.absent(resource.id());
    }
    Account a = state.account().get();
    Properties want = resource.properties();
    Properties.Builder b = Properties.builder()
        .put(UID, a.uid())
        .put(GID, a.gid())
        .put(SHELL, a.shell())
        .put(GROUPS, groups(a, want))
        .put(SUDO, sudo(state, resource));
    if (want.get(AUTHORIZED_KEYS).isPresent()) {
      b.put(AUTHORIZED_KEYS, keys(a, resource.id().name()));
    }
    return Observation.present(resource.id(), b.build());
  }

  /** The desired list itself when the user has exactly those supplementary groups, else the actual ones, sorted. */
  private static List<String> groups(Account a, Properties want) {
    List<String> actual = a.supplementaryGroups();
    Optional<List<String>> desired = desiredGroups(want);
    return desired.filter(d -> new HashSet<>(d).equals(new HashSet<>(actual))).orElse(actual);
  }

  /** The key lines, or what is wrong with a file that has the right ones. */
  private static Object keys(Account a, String user) {
    if (a.authorizedKeys().isEmpty()) {
      return List.of();
    }
    OwnedFile file = a.authorizedKeys().get();
    List<String> lines = file.content().lines().toList();
    List<String> problems = new ArrayList<>();
    if (!file.mode().equals("600") || !file.owner().equals(user)) {
      problems.add("authorized_keys has mode " + file.mode() + ", owner " + file.owner());
    }
    a.sshDirectory().filter(d -> !d.mode().equals("700") || !d.owner().equals(user))
        .ifPresent(d -> problems.add("~/.ssh has mode " + d.mode() + ", owner " + d.owner()));
    return problems.isEmpty() ? lines : lines.size() + " key line(s), but " + String.join(" and ", problems);
  }

  /** True or false when the file is converge's exactly or missing; otherwise what is wrong with it. */
  private static Object sudo(UserState state, Resource resource) {
    if (state.sudoers().isEmpty()) {
      return false;
    }
    OwnedFile f = state.sudoers().get();
    if (!f.content().equals(sudoersRule(resource.id().name()))) {
      return sudoersFile(resource.id().name()) + " holds other rules";
    }
    return f.mode().equals("440") ? Boolean.TRUE : sudoersFile(resource.id().name()) + " has mode " + f.mode();
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String user = change.desired().id().name();
    String where = "user " + user + " on " + target.name();
    try {
      Names.ACCOUNT.require(user, where);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    if (!change.desired().isPresent()) {
      Remote.run(target, Command.of("rm", "-f", "--", sudoersFile(user)), "rm " + sudoersFile(user), where);
      if (change.observed().actual().flatMap(p -> p.get(UID)).isPresent()) {
        ExecResult r = Remote.exec(target, Command.of("userdel", user), where);
        if (!r.ok() && r.exitCode() != 6) { // 6: the user does not exist, which is what a delete wants
          throw new ActionException("cannot delete " + where + ": userdel failed (exit " + r.exitCode() + ")"
              + r.details());
        }
      }
      return;
    }
    Properties want = change.desired().properties();
    boolean create = change.observed().actual().flatMap(p -> p.get(UID)).isEmpty();
    List<String> options = new ArrayList<>();
    if (create || change.touches(UID)) {
      want.get(UID).ifPresent(uid -> options.addAll(List.of("-u", uid.toString())));
    }
    if (create || change.touches(SHELL)) {
      Optional<String> shell = want.string(SHELL);
      if (shell.isPresent()) {
        requireShell(shell.get(), where);
        options.addAll(List.of("-s", shell.get()));
      }
    }
    if (create || change.touches(GROUPS)) {
      Optional<List<String>> groups = desiredGroups(want);
      if (groups.isPresent()) {
        for (String g : groups.get()) {
          try {
            Names.ACCOUNT.require(g, where + ", group");
          } catch (IllegalArgumentException e) {
            throw new ActionException(e.getMessage(), e);
          }
        }
        options.addAll(List.of("-G", String.join(",", groups.get())));
      }
    }
    String gid = (create || change.touches(GID)) ? want.get(GID).map(Object::toString).orElse("") : "";
    if (create || !options.isEmpty() || !gid.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("sh", "-c", ACCOUNT, "sh", user, gid));
      argv.addAll(options);
      ExecResult r = Remote.exec(target, Command.of(argv), where);
      if (!r.ok()) {
        throw new ActionException("cannot " + (create ? "create " : "update ") + where + ": "
            + (create ? "useradd" : "usermod") + " failed (exit " + r.exitCode() + ")" + r.details());
      }
    }
    if (want.get(AUTHORIZED_KEYS).isPresent() && (create || change.touches(AUTHORIZED_KEYS))) {
      writeKeys(target, user, want, where);
    }
    if (create || change.touches(SUDO)) {
      boolean sudo = want.get(SUDO).map(Boolean.TRUE::equals).orElse(false);
      if (sudo) {
        Remote.run(target, Command.of("sh", "-c", SUDOERS, "sh", user).withStdin(sudoersRule(user)),
            "writing " + sudoersFile(user), where);
      } else {
        Remote.run(target, Command.of("rm", "-f", "--", sudoersFile(user)), "rm " + sudoersFile(user), where);
      }
    }
  }

  private static void writeKeys(Target target, String user, Properties want, String where) throws ActionException {
    List<?> keys = want.get(AUTHORIZED_KEYS).filter(List.class::isInstance).map(List.class::cast)
        .orElseThrow(() -> new ActionException(where + ": `authorized-keys` must be a list of key lines"));
    StringBuilder text = new StringBuilder();
    for (Object key : keys) {
      String line = String.valueOf(key);
      if (line.isBlank() || line.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
        throw new ActionException(where + ": an authorized key must be one non-empty line");
      }
      text.append(line).append('\n');
    }
    Remote.run(target, Command.of("sh", "-c", KEYS, "sh", user).withStdin(text.toString()),
        "writing ~" + user + "/.ssh/authorized_keys", where);
  }

  private static Optional<List<String>> desiredGroups(Properties want) {
    return want.get(GROUPS).filter(List.class::isInstance)
        .map(l -> ((List<?>) l).stream().map(String::valueOf).toList());
  }

  private static void requireShell(String shell, String where) throws ActionException {
    if (!shell.startsWith("/") || shell.chars().anyMatch(c -> c <= 0x20 || c == ':')) {
      throw new ActionException(where + ": `shell` must be an absolute path such as /bin/bash, found `" + shell + "`");
    }
  }

  static String sudoersFile(String user) {
    return SUDOERS_DIRECTORY + "converge-" + user;
  }

  static String sudoersRule(String user) {
    return "# written by converge\n" + user + " ALL=(ALL:ALL) NOPASSWD: ALL\n";
  }
}

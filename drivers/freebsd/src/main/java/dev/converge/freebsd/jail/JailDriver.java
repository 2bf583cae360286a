package dev.converge.freebsd.jail;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.Enterable;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Movable;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Readiness;
import dev.converge.driver.Rendering;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.freebsd.ProbeOutput;
import dev.converge.freebsd.Remote;
import dev.converge.freebsd.TargetLocks;
import dev.converge.freebsd.jail.JailSettings.JailUser;
import dev.converge.images.ImageStore;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.transport.JailTransport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code jail} resource on FreeBSD: a jail(8) jail with its own root, started by {@code service jail} at boot.
 *
 * <p><b>Layout.</b> {@code /etc/jail.conf.d/NAME.conf} ({@link JailConf}), {@code /etc/fstab.NAME} for mounts, and
 * {@code /usr/local/converge/jails/NAME/} holding {@code jail.json} ({@link JailRecord}) and {@code root/}: a ZFS clone
 * of {@code POOL/converge/images/IMAGE/ID@image} mounted there when the host keeps images in ZFS
 * ({@link JailStorage}), else a copy of {@code /usr/local/converge/images/IMAGE/ID/root}. The image build is the
 * one {@code image-digest} names, or (policy pin) the image's {@code current} build when the jail is made.
 *
 * <p><b>Probe.</b> One exec for the batch: {@code jls -n --libxo json}, the ZFS decision, and per jail its record,
 * its conf file, and for a running jail whether its start command lives (daemon(8)'s pidfile, checked with
 * {@code kill -0} inside the jail) and its {@code /etc/resolv.conf} (read inside the jail, so a symbolic link there
 * cannot show a host file). A jail without converge's record is absent, and creating over it is refused. Hostname
 * and loopback address come from jls when the jail runs; users and packages from the record; a conf file that is not
 * the rendering of the record shows the jail as not running, and the restart that follows rewrites it.
 *
 * <p><b>Apply.</b> Create: root, record, conf, resolv.conf, then {@code jail_enable} and {@code jail_list} via sysrc,
 * {@code service jail start NAME}, then users ({@code pw} inside the jail, keys 0600 and sudoers 0440 written inside
 * it) and {@code pkg -j NAME install -y} (with sudo when a user has it). Update: a changed network, hostname, start
 * command or mounts rewrites the conf and restarts the jail (stopped with its old conf, so jail(8) undoes that conf's
 * alias, epair and mounts); a dead start command restarts it; resolv.conf, users and packages are changed inside the
 * running jail. A changed image build (a followed image rebuilt, or another image) moves the jail onto it with what
 * it changed, replayed from {@code zfs diff} onto a clone of the new build ({@link #rebase}); without ZFS it is
 * refused. Delete: stop, drop it from {@code jail_list}, remove conf, fstab and root (never while something is still
 * mounted below it).
 *
 * <p><b>Move.</b> Stop on the source, snapshot and {@code zfs send} into {@code zfs receive -u} on the destination
 * (both ZFS), else a tar stream of the root; then record, conf and start on the destination, wait until it is ready,
 * and remove it from the source. Any failure cleans the destination and starts the jail again on the source.
 */
public final class JailDriver implements Driver, Movable, Rendering, Enterable {

  public static final String KIND = "jail";
  static final String RUNNING = "running";

  /** Fields in the conf: a change rewrites it and restarts the jail. */
  private static final Set<String> RESTARTING = Set.of("network", "hostname", "start", "mounts");
  private static final Duration READINESS_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DATA_TIMEOUT = Duration.ofHours(6);
  private static final String SUDOERS_DIRECTORY = "/usr/local/etc/sudoers.d";
  private static final String SUDO = "sudo";
  private static final FileAttributes ROOT_OWNED = new FileAttributes(0644, Optional.of("0"), Optional.of("0"));
  private static final FileAttributes ROOT_ONLY_READABLE =
      new FileAttributes(0440, Optional.of("0"), Optional.of("0"));

  /**
   * Preamble: jls's JSON tagged {@code jls}, the storage decision. Per jail: its {@code record} and {@code conf}
   * lines, and for a running jail {@code start-alive} and the {@code resolv} lines (after {@code resolv-file}) of its
   * resolv.conf.
   */
  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      jls -n --libxo json | lines jls
      """ + JailStorage.DECIDE + """
      for j do
        printf '= %s\\n' "$j"
        d=/usr/local/converge/jails/$j
        if [ -f "$d/jail.json" ]; then lines record < "$d/jail.json"; fi
        if [ -f "/etc/jail.conf.d/$j.conf" ]; then lines conf < "/etc/jail.conf.d/$j.conf"; fi
        if jls -j "$j" jid >/dev/null 2>&1; then
          if jexec "$j" /bin/sh -c 'kill -0 "$(cat /var/run/converge-start.pid)"' >/dev/null 2>&1; then
            echo start-alive
          fi
          if jexec "$j" /bin/test -f /etc/resolv.conf; then
            echo resolv-file
            jexec "$j" /bin/cat /etc/resolv.conf | lines resolv
          fi
        fi
      done
      exit 0
      """;

  /** $1 jail, $2 address, $3 {@code start} when it has a start command: the reason it is not ready, exit 1. */
  static final String READY_SCRIPT = """
      jls -j "$1" jid >/dev/null 2>&1 || { echo "jail $1 is not running"; exit 1; }
      if [ "$3" = start ]; then
        jexec "$1" /bin/sh -c 'kill -0 "$(cat /var/run/converge-start.pid)"' >/dev/null 2>&1 \
          || { echo "the start command of jail $1 is not running"; exit 1; }
      fi
      ping -c 1 -t 1 "$2" >/dev/null 2>&1 || { echo "no answer to ping from $2"; exit 1; }
      """;

  /** The end of a tar pipe whose first tar wrote its status to the file $s: fails if either tar did. */
  private static final String TAR_PIPE_STATUS = """
      r=$?
      [ "$(cat "$s")" = 0 ] || r=1
      rm -f "$s"
      exit $r
      """;

  /** $1 image root, $2 jail root: a copy keeping hard links and file flags; fails if either tar does. */
  static final String COPY_SCRIPT = """
      [ -d "$1" ] || { echo "image root $1 does not exist" >&2; exit 1; }
      mkdir -p "$2" || exit 1
      s=$(mktemp) || exit 1
      { tar -cf - -C "$1" . ; echo $? > "$s"; } | tar -xpf - -C "$2"
      """ + TAR_PIPE_STATUS;

  /**
   * $1 the staging dataset, $2 the snapshot of the image build the jail moves to, $3 the staging mountpoint, $4 the
   * dataset a previous rebase kept: clears what an interrupted rebase left (whose changes it had carried already)
   * and clones the snapshot as the staging root.
   */
  static final String STAGE_SCRIPT = """
      set -e
      for d in "$1" "$4"; do
        if zfs list -H -o name "$d" >/dev/null 2>&1; then zfs destroy -r "$d"; fi
      done
      zfs clone -o mountpoint="$3" "$2" "$1"
      """;

  /**
   * $1 the jail's root, $2 the staging root; stdin the paths to carry, relative, NUL-terminated: each is copied with
   * its mode, owner and flags (directories without their contents, which are listed on their own), and extracted by
   * the staging root's own tar chrooted there, so that no link in it can lead a write out of it.
   */
  static final String CARRY_SCRIPT = """
      s=$(mktemp) || exit 1
      { tar -cf - -C "$1" --null --no-recursion -T - ; echo $? > "$s"; } | chroot "$2" tar -xpf - -C /
      """ + TAR_PIPE_STATUS;

  /**
   * $1 the jail's dataset, $2 the staging dataset, $3 the jail's root, $4 where the old root goes: the staging
   * dataset takes the jail's name and mountpoint, the old one is kept as $1.previous until the jail runs again.
   */
  static final String SWAP_SCRIPT = """
      set -e
      zfs rename "$1" "$1.previous"
      zfs set mountpoint="$4" "$1.previous"
      zfs set mountpoint="$3" "$2"
      zfs rename "$2" "$1"
      """;

  /** $1 jail directory: removed, unless a file system is still mounted below it (a nullfs mount of host data). */
  static final String REMOVE_SCRIPT = """
      if mount -p | awk -v d="$1/" 'index($2 "/", d) == 1 { found = 1 } END { exit !found }'; then
        echo "$1 still has file systems mounted below it; not removing it" >&2
        exit 1
      fi
      chflags -R noschg "$1" 2>/dev/null
      rm -rf "$1"
      """;

  /** $1 conf, $2 record: refuses a jail of that name that converge did not make. */
  static final String FOREIGN_SCRIPT = """
      if [ -e "$1" ] && [ ! -e "$2" ]; then
        echo "$1 exists but $2 does not: a jail converge did not make; converge leaves it alone" >&2
        exit 1
      fi
      """;

  /** Inside the jail: $1 user, $2 uid, $3 gid: the user's ~/.ssh, 0700, never through a symbolic link. */
  static final String SSH_DIRECTORY_SCRIPT = """
      h=$(pw usershow -n "$1" | cut -d: -f9) || exit 1
      [ ! -L "$h/.ssh" ] || { echo "$h/.ssh is a symbolic link; converge will not follow it" >&2; exit 1; }
      exec install -d -m 0700 -o "$2" -g "$3" "$h/.ssh"
      """;

  private final Clock clock;
  private final Duration moveReadyTimeout;
  private final ConcurrentMap<String, JailStorage> storage = new ConcurrentHashMap<>();

  /** The driver as the engine loads it. */
  public JailDriver() {
    this(Clock.systemUTC(), READINESS_TIMEOUT);
  }

  /** With the clock that names move snapshots and how long a move waits for the jail on its new host. */
  JailDriver(Clock clock, Duration moveReadyTimeout) {
    this.clock = clock;
    this.moveReadyTimeout = moveReadyTimeout;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  @Override
  public Duration readinessTimeout(Resource resource) {
    return READINESS_TIMEOUT;
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> args = new ArrayList<>();
    Map<Integer, String> epairs = new TreeMap<>();
    for (Resource r : batch) {
      JailSettings s = settingsForProbe(target, r);
      args.add(r.id().name());
      if (s != null && s.network().kind() == JailSettings.Network.Kind.BRIDGE) {
        String other = epairs.putIfAbsent(JailConf.epairUnit(s.network().address()), s.name());
        if (other != null) {
          throw new ProbeException("jails `" + other + "` and `" + s.name() + "` on " + target.name()
              + " would both use epair" + JailConf.epairUnit(s.network().address()) + " (the low 15 bits of their "
              + "bridge addresses are equal); give one of them another address");
        }
      }
    }
    ExecResult r = Remote.forProbe(target, "jails").probe(ProbeOutput.script(SCRIPT, args), "jails");
    ProbeOutput out = ProbeOutput.parse(r.out());
    Map<String, Jls.Entry> running;
    try {
      running = Jls.parse(String.join("\n", out.preamble().all("jls")));
    } catch (IllegalArgumentException e) {
      throw new ProbeException("cannot probe jails on " + target.name() + ": " + e.getMessage() + Remote.detail(r),
          e);
    }
    storage.put(target.name(), JailStorage.of(out.preamble()));
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      String name = res.id().name();
      ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ProbeException("cannot probe jails on "
          + target.name() + ": no answer for `" + name + "`" + Remote.detail(r)));
      if (!s.has("record")) {
        observations.add(Observation.absent(res.id()));
        continue;
      }
      JailRecord record;
      try {
        record = JailRecord.parse(String.join("\n", s.all("record")));
      } catch (IllegalArgumentException e) {
        throw new ProbeException("jail `" + name + "` on " + target.name() + ": " + e.getMessage(), e);
      }
      try {
        observations.add(Observation.present(res.id(), observe(res, record, running.get(name), s)));
      } catch (IllegalArgumentException e) {
        throw new ProbeException("jail `" + name + "` on " + target.name() + ": the properties recorded in "
            + ImageStore.JAIL_RECORD + " are not valid: " + e.getMessage(), e);
      }
    }
    return observations;
  }

  /**
   * The recorded properties, corrected by what the host shows. A conf file that is not the rendering of the recorded
   * properties (edited, or gone) means the jail does not run as recorded: it shows as not running, and the restart
   * that repairs that rewrites the conf.
   */
  private static Properties observe(Resource desired, JailRecord record, Jls.Entry live, ProbeOutput.Section s) {
    Properties seen = record.properties();
    boolean hasStart = seen.get("start").isPresent();
    String conf = s.all("conf").stream().map(l -> l + "\n").reduce("", String::concat);
    boolean confIntact = conf.equals(JailConf.render(JailSettings.of(desired.target(), desired.id().name(), seen)));
    seen = seen.with(RUNNING, confIntact && live != null && (!hasStart || s.has("start-alive")));
    if (live != null) {
      seen = seen.with("hostname", live.hostname());
      if (seen.get("network").orElse(null) instanceof Map<?, ?> net && "loopback".equals(net.get("kind"))
          && !live.ip4().contains(String.valueOf(net.get("address")))) {
        Map<String, Object> actual = new TreeMap<>();
        net.forEach((k, v) -> actual.put(String.valueOf(k), v));
        actual.put("address", String.join(",", live.ip4()));
        seen = seen.with("network", actual);
      }
      if (desired.properties().get("resolv-conf").isPresent()) {
        seen = s.has("resolv-file")
            ? seen.with("resolv-conf", s.all("resolv").stream().map(l -> l + "\n").reduce("", String::concat))
            : without(seen, "resolv-conf");
      }
    }
    if (desired.properties().get("image-digest").isEmpty()) {
      seen = without(seen, "image-digest");
    }
    return seen;
  }

  private static Properties without(Properties p, String field) {
    Set<String> keep = new LinkedHashSet<>(p.fields());
    keep.remove(field);
    return p.only(keep);
  }

  /** Checked settings, or null for a resource that is to be deleted (it has no properties). */
  private static JailSettings settingsForProbe(Target target, Resource r) throws ProbeException {
    if (!r.isPresent()) {
      if (!JailSettings.isName(r.id().name())) {
        throw new ProbeException("jail `" + r.id().name() + "` on " + target.name() + ": not a jail name");
      }
      return null;
    }
    try {
      return JailSettings.of(target.name(), r.id().name(), r.properties());
    } catch (IllegalArgumentException e) {
      throw new ProbeException(e.getMessage(), e);
    }
  }

  private static JailSettings settings(Target target, Resource r) throws ActionException {
    try {
      return JailSettings.of(target.name(), r.id().name(), r.properties());
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.id().name();
    String what = "jail `" + name + "`";
    if (!change.desired().isPresent()) {
      if (!JailSettings.isName(name)) {
        throw new ActionException(what + " on " + target.name() + ": not a jail name");
      }
      Remote remote = Remote.forAction(target, what);
      Optional<JailRecord> record = change.observed().isPresent() ? readRecord(remote, name, what) : Optional.empty();
      if (record.isPresent()) {
        remove(remote, name, record.get(), true, what);
      }
      return;
    }
    JailSettings s = settings(target, change.desired());
    Remote remote = Remote.forAction(target, what);
    if (!change.observed().isPresent()) {
      create(remote, s, change.desired().properties(), what);
    } else {
      update(remote, s, change, what);
    }
  }

  private void create(Remote remote, JailSettings s, Properties desired, String what) throws ActionException {
    remote.run(ProbeOutput.script(FOREIGN_SCRIPT, List.of(JailConf.confPath(s.name()), s.record())), what);
    String id = imageId(remote, s, what);
    JailStorage where = storage(remote, what);
    remote.run(Command.of("mkdir", "-p", "-m", "0700", s.directory()), what);
    Optional<String> dataset = Optional.empty();
    if (where instanceof JailStorage.Zfs zfs) {
      remote.run(zfs.createParent(), what);
      remote.run(Command.of("zfs", "clone", "-o", "mountpoint=" + s.root(), zfs.snapshot(s.image(), id),
          zfs.dataset(s.name())), what);
      dataset = Optional.of(zfs.dataset(s.name()));
    } else {
      remote.run(ProbeOutput.script(COPY_SCRIPT, List.of(ImageStore.freebsdBuild(s.image(), id) + "/root", s.root()))
          .withTimeout(DATA_TIMEOUT), what);
    }
    // Recorded first without users and packages, so that the jail is known as converge's from now on, and a
    // provisioning that fails half-way shows as drift and is done again by the next run.
    JailRecord record = new JailRecord(ImageStore.freebsdBuild(s.image(), id), dataset,
        without(without(desired, "users"), "packages").with(RUNNING, true));
    remote.write(s.record(), record.toJson(), FileAttributes.mode(0600), what);
    if (s.resolvConf().isPresent()) {
      // The root was made from the image a moment ago, so no symbolic link of the jail's can redirect this write.
      remote.write(s.root() + "/etc/resolv.conf", s.resolvConf().get(), FileAttributes.mode(0644), what);
    }
    writeConf(remote, s, what);
    enableAtBoot(remote, s.name(), true, what);
    remote.run(Command.of("service", "jail", "start", s.name()), what);
    provision(remote, s, Map.of(), List.of(), what);
    remote.write(s.record(), new JailRecord(record.imageDir(), dataset, desired.with(RUNNING, true)).toJson(),
        FileAttributes.mode(0600), what);
  }

  private void update(Remote remote, JailSettings s, Change change, String what) throws ActionException {
    JailRecord record = readRecord(remote, s.name(), what).orElseThrow(() -> new ActionException(what + " on "
        + remote.host() + ": " + s.record() + " disappeared since the probe"));
    boolean rebased = change.touches("image") || change.touches("image-digest");
    if (rebased) {
      record = rebase(remote, s, record, what);
    }
    JailSettings applied;
    try {
      applied = JailSettings.of(remote.host(), s.name(), record.properties());
    } catch (IllegalArgumentException e) {
      throw new ActionException(s.record() + ": " + e.getMessage(), e);
    }
    if (rebased || change.touches(RUNNING)
        || change.fields().stream().anyMatch(f -> RESTARTING.contains(f.field()))) {
      if (!rebased) {
        // Stopped with the conf it was started with: jail(8) removes that conf's alias, epair and mounts.
        stop(remote, s.name(), what);
      }
      writeConf(remote, s, what);
      remote.run(Command.of("service", "jail", "start", s.name()), what);
    }
    if (rebased) {
      remote.run(Command.of("zfs", "destroy", "-r", record.dataset().orElseThrow() + ".previous"), what);
    }
    if (change.touches("resolv-conf") && s.resolvConf().isPresent()) {
      inside(remote, s).write("/etc/resolv.conf", s.resolvConf().get(), ROOT_OWNED, what);
    }
    provision(remote, s, change.touches("users") ? applied.users() : s.users(),
        change.touches("packages") ? applied.packages() : s.packages(), what);
    remote.write(s.record(), new JailRecord(record.imageDir(), record.dataset(),
        change.desired().properties().with(RUNNING, true)).toJson(), FileAttributes.mode(0600), what);
  }

  /**
   * Moves the jail, stopped, onto the image build it should run on, keeping what it changed, as the Linux driver's
   * overlay keeps its upper layer: a clone of the new build's snapshot gets the paths {@code zfs diff} says the jail
   * removed from its image deleted and those it wrote copied over, then takes the jail's dataset name and mountpoint.
   * The jail's own version of a file wins over the new image's. Returns the record, rewritten for the new build.
   * Needs the jail's root in ZFS; on failure before the swap the staging clone is destroyed and nothing else changed.
   */
  private JailRecord rebase(Remote remote, JailSettings s, JailRecord record, String what) throws ActionException {
    if (!(storage(remote, what) instanceof JailStorage.Zfs zfs) || record.dataset().isEmpty()) {
      throw new ActionException(what + " on " + remote.host() + ": moving a FreeBSD jail to another image build "
          + "needs its root in ZFS (what the jail changed is found with zfs diff); this host keeps jails in "
          + "directories: pin the jail (image-policy: pin), or delete it and create it again");
    }
    String id = imageId(remote, s, what);
    String dataset = record.dataset().get();
    String staging = dataset + ".rebase";
    String stagingRoot = s.directory() + "/root.rebase";
    stop(remote, s.name(), what);
    String origin = remote.run(Command.of("zfs", "get", "-H", "-o", "value", "origin", dataset), what).out().strip();
    ZfsDiff diff;
    try {
      diff = ZfsDiff.parse(remote.run(Command.of("zfs", "diff", "-H", "-F", origin, dataset)
          .withTimeout(DATA_TIMEOUT), what).out(), s.root());
    } catch (IllegalArgumentException e) {
      throw new ActionException(what + " on " + remote.host() + ": " + e.getMessage(), e);
    }
    remote.run(ProbeOutput.script(STAGE_SCRIPT, List.of(staging, zfs.snapshot(s.image(), id), stagingRoot,
        dataset + ".previous")), what);
    try {
      if (!diff.removed().isEmpty()) {
        remote.run(Command.of("chroot", stagingRoot, "xargs", "-0", "rm", "-rf", "--")
            .withStdin(nulTerminated(diff.removed().stream().map(p -> "/" + p).toList())), what);
      }
      if (!diff.written().isEmpty()) {
        remote.run(ProbeOutput.script(CARRY_SCRIPT, List.of(s.root(), stagingRoot))
            .withStdin(nulTerminated(diff.written())).withTimeout(DATA_TIMEOUT), what);
      }
      remote.run(ProbeOutput.script(SWAP_SCRIPT, List.of(dataset, staging, s.root(), s.directory()
          + "/root.previous")), what);
    } catch (ActionException e) {
      remote.exec(Command.of("zfs", "destroy", "-r", staging), what);
      throw e;
    }
    JailRecord moved = new JailRecord(ImageStore.freebsdBuild(s.image(), id), record.dataset(), record.properties());
    remote.write(s.record(), moved.toJson(), FileAttributes.mode(0600), what);
    return moved;
  }

  private static byte[] nulTerminated(List<String> paths) {
    StringBuilder b = new StringBuilder();
    paths.forEach(p -> b.append(p).append('\0'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code service jail stop NAME}; its failure counts only while jls still shows the jail (stopping a jail that is
   * not running is the goal reached).
   */
  static void stop(Remote remote, String jail, String what) throws ActionException {
    ExecResult r = remote.exec(Command.of("service", "jail", "stop", jail), what);
    if (!r.ok() && remote.exec(Command.of("jls", "-j", jail, "jid"), what).ok()) {
      throw new ActionException("cannot change " + what + " on " + remote.host() + ": service jail stop failed (exit "
          + r.exitCode() + ")" + Remote.detail(r));
    }
  }

  /** The running jail as a remote: commands through jexec, files written by commands inside it. */
  private static Remote inside(Remote host, JailSettings s) {
    return new Remote(host.target(), new JailTransport(host.transport(), s.name(), s.network().address(),
        command -> Jexec.inside(s.name(), command)));
  }

  /**
   * Inside the running jail: users that are new or changed since {@code had} (and removes those gone), and packages
   * not in {@code hadPackages} (and deletes those gone).
   */
  private static void provision(Remote remote, JailSettings s, Map<String, JailUser> had, List<String> hadPackages,
      String what) throws ActionException {
    Remote jail = inside(remote, s);
    for (Map.Entry<String, JailUser> e : s.users().entrySet()) {
      if (!e.getValue().equals(had.get(e.getKey()))) {
        user(jail, e.getKey(), e.getValue(), what + " (user `" + e.getKey() + "`)");
      }
    }
    for (String gone : had.keySet()) {
      if (!s.users().containsKey(gone)) {
        jail.run(Command.of("pw", "userdel", "-n", gone), what);
        jail.run(Command.of("rm", "-f", "--", sudoers(gone)), what);
      }
    }
    List<String> install = new ArrayList<>(s.packages().stream().filter(p -> !hadPackages.contains(p)).toList());
    if (s.users().values().stream().anyMatch(JailUser::sudo) && !s.packages().contains(SUDO)) {
      // the sudoers files are written for it, and FreeBSD's base has no sudo; pkg leaves an installed one alone
      install.add(SUDO);
    }
    if (!install.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("pkg", "-j", s.name(), "install", "-y"));
      argv.addAll(install);
      remote.run(Command.of(argv).withTimeout(DATA_TIMEOUT), what + " (packages)");
    }
    List<String> delete = hadPackages.stream().filter(p -> !s.packages().contains(p)).toList();
    if (!delete.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("pkg", "-j", s.name(), "delete", "-y"));
      argv.addAll(delete);
      remote.run(Command.of(argv), what + " (packages)");
    }
  }

  /** Creates or updates one user inside {@code jail}: account, authorized keys (0600) and sudoers file (0440). */
  private static void user(Remote jail, String name, JailUser u, String what) throws ActionException {
    boolean exists = jail.exec(Command.of("pw", "usershow", "-n", name), what).ok();
    if (u.gid().isPresent() && !jail.exec(Command.of("pw", "groupshow", "-g", u.gid().get().toString()), what).ok()) {
      jail.run(Command.of("pw", "groupadd", "-n", name, "-g", u.gid().get().toString()), what);
    }
    List<String> argv = new ArrayList<>(List.of("pw", exists ? "usermod" : "useradd", "-n", name));
    if (!exists) {
      argv.addAll(List.of("-m", "-s", "/bin/sh"));
    }
    u.uid().ifPresent(id -> argv.addAll(List.of("-u", id.toString())));
    u.gid().ifPresent(id -> argv.addAll(List.of("-g", id.toString())));
    jail.run(Command.of(argv), what);
    if (u.sshKey().isPresent()) {
      String entry = jail.run(Command.of("pw", "usershow", "-n", name), what).out().strip();
      String[] f = entry.split(":", -1);
      if (f.length < 10 || !f[8].startsWith("/")) {
        throw new ActionException(what + " on " + jail.host() + ": unexpected pw usershow output `" + entry
            + "` (expected name:password:uid:gid:class:change:expire:gecos:home:shell)");
      }
      jail.run(ProbeOutput.script(SSH_DIRECTORY_SCRIPT, List.of(name, f[2], f[3])), what);
      jail.write(f[8] + "/.ssh/authorized_keys", u.sshKey().get(),
          new FileAttributes(0600, Optional.of(f[2]), Optional.of(f[3])), what);
    }
    if (u.sudo()) {
      jail.run(Command.of("mkdir", "-p", SUDOERS_DIRECTORY), what);
      jail.write(sudoers(name), name + " ALL=(ALL:ALL) NOPASSWD: ALL\n", ROOT_ONLY_READABLE, what);
    } else if (exists) {
      jail.run(Command.of("rm", "-f", "--", sudoers(name)), what);
    }
  }

  private static String sudoers(String user) {
    return SUDOERS_DIRECTORY + "/converge-" + user;
  }

  private static void writeConf(Remote remote, JailSettings s, String what) throws ActionException {
    for (JailSettings.Mount m : s.mounts()) {
      remote.run(Command.of("mkdir", "-p", s.root() + m.target()), what + " (mount target)");
    }
    if (s.mounts().isEmpty()) {
      remote.run(Command.of("rm", "-f", JailConf.fstabPath(s.name())), what);
    } else {
      remote.write(JailConf.fstabPath(s.name()), JailConf.fstab(s), FileAttributes.mode(0644), what);
    }
    remote.run(Command.of("mkdir", "-p", JailConf.CONF_DIRECTORY), what);
    remote.write(JailConf.confPath(s.name()), JailConf.render(s), FileAttributes.mode(0644), what);
  }

  /** Adds the jail to (or drops it from) {@code jail_list}, read and written under the host's rc.conf lock. */
  static void enableAtBoot(Remote remote, String jail, boolean enable, String what) throws ActionException {
    ReentrantLock lock = TargetLocks.RC_CONF.of(remote.target());
    lock.lock();
    try {
      ExecResult current = remote.exec(Command.of("sysrc", "-n", "jail_list"), what);
      Set<String> list = new LinkedHashSet<>(current.ok() ? List.of(current.out().strip().split("\\s+")) : List.of());
      list.remove("");
      boolean changed = enable ? list.add(jail) : list.remove(jail);
      List<Command> writes = new ArrayList<>();
      if (enable) {
        writes.add(Command.of("sysrc", "jail_enable=YES"));
      }
      if (changed) {
        writes.add(Command.of("sysrc", "jail_list=" + String.join(" ", list)));
      }
      remote.sysrc(writes, what);
    } finally {
      lock.unlock();
    }
  }

  /** The image build's ID: from the digest, or the image's {@code current} build (policy pin). */
  private static String imageId(Remote remote, JailSettings s, String what) throws ActionException {
    if (s.imageDigest().isPresent()) {
      return ImageStore.id(s.imageDigest().get());
    }
    String link = ImageStore.FREEBSD_IMAGES + "/" + s.image() + "/" + ImageStore.CURRENT;
    ExecResult r = remote.exec(Command.of("readlink", link), what);
    String id = r.out().strip();
    if (!r.ok() || !id.matches("[0-9a-f]{16}")) {
      throw new ActionException(what + " on " + remote.host() + ": image `" + s.image() + "` has no current build ("
          + link + " " + (r.ok() ? "points to `" + id + "`" : "is missing") + ")");
    }
    return id;
  }

  JailStorage storage(Remote remote, String what) throws ActionException {
    JailStorage known = storage.get(remote.host());
    if (known != null) {
      return known;
    }
    JailStorage decided = JailStorage.of(ProbeOutput.parse(remote.run(JailStorage.decideCommand(), what).out())
        .preamble());
    storage.put(remote.host(), decided);
    return decided;
  }

  static Optional<JailRecord> readRecord(Remote remote, String jail, String what) throws ActionException {
    String path = ImageStore.FREEBSD_JAILS + "/" + jail + "/" + ImageStore.JAIL_RECORD;
    Optional<String> text = remote.read(path, what);
    try {
      return text.map(JailRecord::parse);
    } catch (IllegalArgumentException e) {
      throw new ActionException(what + " on " + remote.host() + ": " + path + ": " + e.getMessage(), e);
    }
  }

  /** Stops the jail (when {@code stop}), forgets it at boot, and removes its files, root and dataset. */
  static void remove(Remote remote, String jail, JailRecord record, boolean stop, String what)
      throws ActionException {
    String directory = ImageStore.FREEBSD_JAILS + "/" + jail;
    if (stop) {
      stop(remote, jail, what);
    }
    enableAtBoot(remote, jail, false, what);
    remote.run(Command.of("rm", "-f", JailConf.confPath(jail), JailConf.fstabPath(jail)), what);
    if (record.dataset().isPresent()) {
      remote.run(ProbeOutput.script(REMOVE_SCRIPT, List.of(directory + "/root")).withTimeout(DATA_TIMEOUT), what);
      remote.run(Command.of("zfs", "destroy", "-r", record.dataset().get()), what);
    }
    remote.run(ProbeOutput.script(REMOVE_SCRIPT, List.of(directory)).withTimeout(DATA_TIMEOUT), what);
  }

  /** Commands and files inside the jail, through jexec(8) on its host. */
  @Override
  public Transport enter(Target host, Resource jail) throws TransportException {
    JailSettings s;
    try {
      s = JailSettings.of(host.name(), jail.id().name(), jail.properties());
    } catch (IllegalArgumentException e) {
      throw new TransportException(e.getMessage(), e);
    }
    return new JailTransport(host.transport(), s.name(), s.network().address(),
        command -> Jexec.inside(s.name(), command));
  }

  /** The jail.conf the properties become, so that a plan shows a conf change as a line diff. */
  @Override
  public String render(Resource resource, Properties properties) {
    return JailConf.render(JailSettings.of(resource.target(), resource.id().name(), properties));
  }

  @Override
  public Readiness readiness(Target target, Resource resource) throws ProbeException {
    JailSettings s = settingsForProbe(target, resource);
    if (s == null) {
      return Readiness.READY;
    }
    ExecResult r = Remote.forProbe(target, "jail `" + s.name() + "`").probe(readyCommand(s), "jail `" + s.name() + "`");
    return r.ok() ? Readiness.READY : Readiness.waitingFor(r.out().strip());
  }

  static Command readyCommand(JailSettings s) {
    return ProbeOutput.script(READY_SCRIPT, List.of(s.name(), s.network().address(),
        s.start().isPresent() ? "start" : "-"));
  }

  @Override
  public void move(Target from, Target to, Change change) throws ActionException {
    JailSettings s = settings(to, change.desired());
    new JailMove(this, from, to, s, change.desired().properties(), clock, moveReadyTimeout).run();
  }

  /** Writes the conf and fstab, enables the jail at boot and starts it: a moved jail's root is already in place. */
  static void configureAndStart(Remote remote, JailSettings s, String what) throws ActionException {
    writeConf(remote, s, what);
    enableAtBoot(remote, s.name(), true, what);
    remote.run(Command.of("service", "jail", "start", s.name()), what);
  }
}

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
import dev.converge.resource.Sensitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The {@code sysctl} resource on FreeBSD: a kernel variable's running value and the value boot sets, kept as a
 * {@code name=value} line in {@value SysctlConf#PATH} (read by rc.d/sysctl after /etc/sysctl.conf, which stays the
 * administrator's).
 *
 * <p><b>Resource.</b> Id {@code sysctl/HOST:NAME}, property {@code value} (a string; a number is compared as one).
 *
 * <p><b>Probe.</b> One exec per batch runs {@code sysctl -n NAME} for every name and prints the file. When the
 * running and the persisted value agree, the observed {@code value} is that value; otherwise it says which is which
 * ({@code "0 (sysctl.conf.local: 1)"}). The observation also carries {@code live} and {@code persisted}, for apply.
 * An unknown variable fails the probe, naming host and variable. An absent resource is observed present while the
 * file still has its line.
 *
 * <p><b>Apply.</b> {@code sysctl NAME=VALUE} when the running value differs; when the file differs, it is read,
 * changed on the lines of NAME only and written back atomically, under a lock per host since sysctls of one host are
 * applied in parallel. A delete drops NAME's lines from the file; the running value stays, as its default is not
 * known.
 */
public final class SysctlDriver implements Driver {

  public static final String KIND = "sysctl";
  public static final String VALUE = "value";
  static final String LIVE = "live";
  static final String PERSISTED = "persisted";

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.%-]{0,127}");

  /**
   * Per name: its value lines tagged {@code v}, or sysctl's error tagged {@code e} (sysctl(8): "unknown oid"); then
   * the file, tagged {@code c}.
   */
  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      for k do
        printf '= %s\\n' "$k"
        if v=$(sysctl -n -- "$k" 2>&1); then printf '%s\\n' "$v" | lines v; else printf '%s\\n' "$v" | lines e; fi
      done
      printf '= %s\\n' /etc/sysctl.conf.local
      if [ -f /etc/sysctl.conf.local ]; then lines c < /etc/sysctl.conf.local; fi
      exit 0
      """;

  private final TargetLocks fileLocks = new TargetLocks();

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (Resource r : batch) {
      names.add(validName(r).orElseThrow(() -> new ProbeException(invalidName(r, target.name()))));
    }
    Remote remote = Remote.forProbe(target, "sysctls");
    ExecResult r = remote.probe(ProbeOutput.script(SCRIPT, names), "sysctls");
    ProbeOutput out = ProbeOutput.parse(r.out());
    SysctlConf conf = new SysctlConf(out.section(SysctlConf.PATH).orElseThrow(() -> new ProbeException(
        "cannot probe sysctls on " + target.name() + ": the probe stopped early" + Remote.detail(r))).all("c"));
    List<Observation> observations = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Resource res = batch.get(i);
      String name = names.get(i);
      Optional<String> persisted = conf.value(name);
      if (!res.isPresent()) {
        observations.add(persisted.isPresent()
            ? Observation.present(res.id(), Properties.builder().put(PERSISTED, persisted.get()).build())
            : Observation.absent(res.id()));
        continue;
      }
      ProbeOutput.Section s = out.section(name).orElseThrow();
      if (!s.has("v")) {
        throw new ProbeException("sysctl `" + name + "` on " + target.name() + ": "
            + String.join(" ", s.all("e")).strip() + " (expected a kernel variable that `sysctl -n` can read)");
      }
      String live = String.join("\n", s.all("v"));
      Object wanted = Sensitive.reveal(res.properties().get(VALUE).orElse(""));
      observations.add(Observation.present(res.id(), Properties.builder()
          .put(VALUE, sameType(wanted, summary(live, persisted)))
          .put(LIVE, live)
          .put(PERSISTED, persisted)
          .build()));
    }
    return observations;
  }

  private static String summary(String live, Optional<String> persisted) {
    if (persisted.equals(Optional.of(live))) {
      return live;
    }
    return live + persisted.map(p -> " (sysctl.conf.local: " + p + ")").orElse(" (not in sysctl.conf.local)");
  }

  /** A number from a generic {@code resources:} entry is observed as a number, so that equal values compare equal. */
  private static Object sameType(Object wanted, String observed) {
    if (wanted instanceof Long) {
      try {
        return Long.parseLong(observed);
      } catch (NumberFormatException e) {
        return observed;
      }
    }
    return observed;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    Resource desired = change.desired();
    String name = validName(desired).orElseThrow(() ->
        new ActionException(invalidName(desired, target.name())));
    String what = "sysctl `" + name + "`";
    Remote remote = Remote.forAction(target, what);
    if (!desired.isPresent()) {
      editFile(remote, what, conf -> conf.without(name));
      return;
    }
    String value = String.valueOf(Sensitive.reveal(desired.properties().get(VALUE).orElseThrow(() ->
        new ActionException(what + " on " + target.name() + ": property `value` is missing"))));
    if (!SysctlConf.canHold(value) || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ActionException(what + " on " + target.name() + ": value `" + value + "` cannot be kept in "
          + SysctlConf.PATH + " (expected one line without `#` and without leading or trailing spaces)");
    }
    Optional<Properties> seen = change.observed().actual();
    if (!seen.flatMap(p -> p.string(LIVE)).equals(Optional.of(value))) {
      remote.run(Command.of("sysctl", name + "=" + value), what);
    }
    if (!seen.flatMap(p -> p.string(PERSISTED)).equals(Optional.of(value))) {
      editFile(remote, what, conf -> conf.with(name, value));
    }
  }

  /** Read-modify-write of the file under this host's lock; nothing is written when the edit changes nothing. */
  private void editFile(Remote remote, String what, UnaryOperator<SysctlConf> edit)
      throws ActionException {
    ReentrantLock lock = fileLocks.of(remote.target());
    lock.lock();
    try {
      Optional<String> text = remote.read(SysctlConf.PATH, what);
      SysctlConf before = SysctlConf.parse(text.orElse(""));
      SysctlConf after = edit.apply(before);
      if (!after.equals(before)) {
        remote.write(SysctlConf.PATH, after.text(), FileAttributes.mode(0644), what);
      }
    } finally {
      lock.unlock();
    }
  }

  private static Optional<String> validName(Resource r) {
    String name = r.id().name();
    return NAME.matcher(name).matches() ? Optional.of(name) : Optional.empty();
  }

  private static String invalidName(Resource r, String host) {
    return "sysctl `" + r.id().name() + "` on " + host
        + ": not a sysctl name (expected letters, digits and `._%-`, starting with a letter)";
  }
}

package dev.converge.freebsd;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code service} resource on FreeBSD: an rc(8) script enabled at boot and/or running, through service(8).
 *
 * <p><b>Resource.</b> Id {@code service/HOST:NAME}, properties {@code enabled} and {@code running} (booleans).
 *
 * <p><b>Probe.</b> One exec for the batch: {@code service -e} lists the enabled scripts (rc.subr's own reading of
 * rc.conf, defaults included); per name, {@code service NAME rcvar} tells whether the script exists and names its
 * rc variable (declared by the script: {@code foo-bar} may use {@code foo_bar_enable}), and
 * {@code service NAME onestatus} exits 0 when it runs ({@code onestatus}, since plain {@code status} of a disabled
 * service is refused by older rc.subr with exit 0). A missing script is observed absent: a package installed
 * earlier in the same run may provide it, so only apply fails on it, naming host and service. An absent resource is
 * observed present while it is enabled or running.
 *
 * <p><b>Apply.</b> Reads the rc variable ({@code service NAME rcvar}), then {@code sysrc VAR=YES|NO} when
 * {@code enabled} differs and {@code service NAME onestart|onestop} when {@code running} does ({@code one}, so a
 * service can run without being enabled). A delete stops it and removes its variable ({@code sysrc -x VAR}), like
 * Ansible's {@code state: stopped, enabled: no}.
 */
public final class ServiceDriver implements Driver {

  public static final String KIND = "service";
  public static final String ENABLED = "enabled";
  public static final String RUNNING = "running";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");

  /**
   * Preamble: enabled scripts' paths tagged {@code e}. Per name: {@code missing}, or its rc variable tagged
   * {@code rcvar} (the first {@code VAR="value"} line of rc.subr's rcvar output) and {@code status 0|N}.
   */
  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      service -e | lines e
      for s do
        printf '= %s\\n' "$s"
        if r=$(service "$s" rcvar 2>/dev/null); then
          printf '%s\\n' "$r" | while IFS= read -r l; do
            case $l in [A-Za-z_]*=*) printf 'rcvar %s\\n' "${l%%=*}"; break;; esac
          done
          service "$s" onestatus >/dev/null 2>&1
          printf 'status %s\\n' "$?"
        else
          echo missing
        fi
      done
      exit 0
      """;

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
      if (!NAME.matcher(r.id().name()).matches()) {
        throw new ProbeException(invalidName(r.id().name(), target.name()));
      }
      names.add(r.id().name());
    }
    ExecResult r = Remote.forProbe(target, "services").probe(ProbeOutput.script(SCRIPT, names), "services");
    ProbeOutput out = ProbeOutput.parse(r.out());
    Set<String> enabled = Set.copyOf(out.preamble().all("e").stream()
        .map(path -> path.substring(path.lastIndexOf('/') + 1)).toList());
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      String name = res.id().name();
      ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ProbeException("cannot probe services on "
          + target.name() + ": no answer for `" + name + "`" + Remote.detail(r)));
      boolean isEnabled = enabled.contains(name);
      boolean isRunning = s.first("status").equals(Optional.of("0"));
      boolean present = !s.has("missing") && (res.isPresent() || isEnabled || isRunning);
      observations.add(present
          ? Observation.present(res.id(), Properties.builder().put(ENABLED, isEnabled).put(RUNNING, isRunning)
              .build())
          : Observation.absent(res.id()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.id().name();
    if (!NAME.matcher(name).matches()) {
      throw new ActionException(invalidName(name, target.name()));
    }
    String what = "service `" + name + "`";
    Remote remote = Remote.forAction(target, what);
    Optional<Properties> seen = change.observed().actual();
    boolean wasEnabled = seen.flatMap(p -> p.get(ENABLED)).equals(Optional.of(true));
    boolean wasRunning = seen.flatMap(p -> p.get(RUNNING)).equals(Optional.of(true));
    Optional<String> rcvar = rcvar(remote, name, what);
    if (!change.desired().isPresent()) {
      if (wasRunning) {
        remote.run(Command.of("service", name, "onestop"), what);
      }
      if (wasEnabled && rcvar.isPresent()) {
        remote.sysrc(List.of(Command.of("sysrc", "-x", rcvar.get())), what);
      }
      return;
    }
    Properties want = change.desired().properties();
    Optional<Object> enable = want.get(ENABLED);
    if (enable.isPresent() && !enable.get().equals(wasEnabled)) {
      String var = rcvar.orElseThrow(() -> new ActionException(what + " on " + target.name()
          + ": its rc script declares no rcvar, so it cannot be " + (enable.get().equals(true) ? "enabled"
          : "disabled") + " at boot"));
      String value = enable.get().equals(true) ? "YES" : "NO";
      remote.sysrc(List.of(Command.of("sysrc", var + "=" + value)), what);
    }
    Optional<Object> run = want.get(RUNNING);
    if (run.isPresent() && !run.get().equals(wasRunning)) {
      remote.run(Command.of("service", name, run.get().equals(true) ? "onestart" : "onestop"), what);
    }
  }

  /** The script's rc variable; empty when it declares none. A missing script fails, naming host and service. */
  private static Optional<String> rcvar(Remote remote, String name, String what) throws ActionException {
    ExecResult r = remote.exec(Command.of("service", name, "rcvar"), what);
    if (!r.ok()) {
      throw new ActionException(what + " on " + remote.host() + ": no rc script of that name in /etc/rc.d or "
          + "/usr/local/etc/rc.d (is the package that provides it installed?)" + Remote.detail(r));
    }
    return rcvarOf(r.out());
  }

  /** The first {@code VAR="value"} line of rc.subr's rcvar output (rc.subr: {@code echo "$_v=\"...\""}). */
  static Optional<String> rcvarOf(String rcvarOutput) {
    return rcvarOutput.lines()
        .filter(l -> l.matches("[A-Za-z_][A-Za-z0-9_]*=.*"))
        .map(l -> l.substring(0, l.indexOf('=')))
        .findFirst();
  }

  private static String invalidName(String name, String host) {
    return "service `" + name + "` on " + host
        + ": not a service name (expected letters, digits and `._@-`, starting with a letter or digit)";
  }
}

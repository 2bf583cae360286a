package dev.converge.linux;

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
import java.util.Set;

/**
 * The {@code service} resource ({@code service/HOST:NAME}, properties {@code enabled} and {@code running}), through
 * systemd when it is the host's init ({@code /run/systemd/system} exists), else through SysV init scripts.
 *
 * <p><b>Probe.</b> One exec for the batch. systemd: enabled when {@code systemctl is-enabled} succeeds (static and
 * indirect units count: there is nothing to enable), running when {@code systemctl is-active} does. SysV: enabled
 * when an {@code S} link to the script is in one of /etc/rc[2-5].d, running when {@code /etc/init.d/NAME status}
 * exits 0. A service with neither unit nor script is observed absent. Applying it sets it up whole, since the
 * package that brings it may have been installed after the probe, and fails naming host and service when the host
 * still has neither.
 *
 * <p><b>Apply.</b> Only what differs: {@code systemctl enable|disable|start|stop}, or {@code update-rc.d NAME
 * defaults} + {@code enable} / {@code disable} and {@code /etc/init.d/NAME start|stop}. A daemon started over SSH
 * would keep the channel open through the standard streams it inherits, so the start runs with them redirected to a
 * file that is printed afterwards. converge never creates a service (a package does), so a delete changes nothing.
 */
public final class ServiceDriver implements Driver {

  public static final String KIND = "service";
  public static final String ENABLED = "enabled";
  public static final String RUNNING = "running";

  static final String PROBE = """
      if [ -d /run/systemd/system ]; then echo systemd; else echo sysv; fi
      for s do
        if [ -d /run/systemd/system ]; then
          load=$(systemctl show -p LoadState --value "$s" 2>/dev/null)
          if [ -z "$load" ] || [ "$load" = not-found ]; then echo unknown; continue; fi
          systemctl is-enabled --quiet "$s" 2>/dev/null && e=yes || e=no
          systemctl is-active --quiet "$s" 2>/dev/null && r=yes || r=no
        else
          if [ ! -x "/etc/init.d/$s" ]; then echo unknown; continue; fi
          e=no
          for l in /etc/rc2.d/S??"$s" /etc/rc3.d/S??"$s" /etc/rc4.d/S??"$s" /etc/rc5.d/S??"$s"; do
            if [ -e "$l" ]; then e=yes; fi
          done
          "/etc/init.d/$s" status </dev/null >/dev/null 2>&1 && r=yes || r=no
        fi
        printf 'known\\t%s\\t%s\\n' "$e" "$r"
      done
      """;

  /** The exit status with which the apply script reports that the host has neither unit nor init script. */
  static final int NO_SUCH_SERVICE = 44;

  /**
   * $1 the verb (enable, disable, start, stop), $2 the service. The output of a start goes to a file, never to
   * the channel, which a daemon keeping it open would hold until it exits.
   */
  private static final String APPLY = """
      verb=$1 s=$2
      if [ -d /run/systemd/system ]; then
        load=$(systemctl show -p LoadState --value "$s" 2>/dev/null)
        if [ -z "$load" ] || [ "$load" = not-found ]; then exit 44; fi
        case $verb in start|stop) ;; *) exec systemctl "$verb" "$s" ;; esac
      else
        [ -x "/etc/init.d/$s" ] || exit 44
        case $verb in
          enable) update-rc.d "$s" defaults && exec update-rc.d "$s" enable ;;
          disable) exec update-rc.d "$s" disable ;;
        esac
      fi
      out=$(mktemp)
      if [ -d /run/systemd/system ]; then
        systemctl "$verb" "$s" </dev/null >"$out" 2>&1
      else
        "/etc/init.d/$s" "$verb" </dev/null >"$out" 2>&1
      fi
      rc=$?
      cat "$out" >&2
      rm -f -- "$out"
      exit $rc
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
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE, "sh"));
    argv.addAll(Names.SERVICE.requireAll(batch, KIND, target));
    ExecResult r = Remote.probe(target, Command.of(argv), KIND);
    List<ServiceState> states;
    try {
      states = ServiceState.parse(r.out(), batch.size());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe services on " + target.name() + ": " + e.getMessage()
          + r.details(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Resource resource = batch.get(i);
      ServiceState state = states.get(i);
      observations.add(!resource.isPresent() || !state.known() ? Observation.absent(resource.id())
          : Observation.present(resource.id(),
              Properties.builder().put(ENABLED, state.enabled()).put(RUNNING, state.running()).build()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    if (!change.desired().isPresent()) {
      return;
    }
    String service = change.desired().id().name();
    String where = "service " + service + " on " + target.name();
    try {
      Names.SERVICE.require(service, where);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    // The plan may have been made before the package that brings the service was installed: a service observed
    // absent then is set up whole now, and only the host can say whether it exists.
    Properties want = change.desired().properties();
    Properties seen = change.observed().actual().orElse(Properties.empty());
    if (differs(want, seen, ENABLED)) {
      run(target, want.get(ENABLED).orElseThrow().equals(true) ? "enable" : "disable", service, where);
    }
    if (differs(want, seen, RUNNING)) {
      run(target, want.get(RUNNING).orElseThrow().equals(true) ? "start" : "stop", service, where);
    }
  }

  private static boolean differs(Properties want, Properties seen, String field) {
    return want.get(field).isPresent() && !want.get(field).equals(seen.get(field));
  }

  private static void run(Target target, String verb, String service, String where) throws ActionException {
    ExecResult r = Remote.exec(target, Command.of("sh", "-c", APPLY, "sh", verb, service), where);
    if (r.exitCode() == NO_SUCH_SERVICE) {
      throw new ActionException(where + ": no such service (neither a systemd unit nor /etc/init.d/" + service
          + "); install the package that provides it");
    }
    if (!r.ok()) {
      throw new ActionException("cannot " + verb + " " + where + " (exit " + r.exitCode() + ")" + r.details());
    }
  }
}

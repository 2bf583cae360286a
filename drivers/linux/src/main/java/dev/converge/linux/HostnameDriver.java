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
 * The {@code hostname} resource ({@code hostname/HOST:hostname}, property {@code name}): the running host name, the
 * one in /etc/hostname, and the name on /etc/hosts' {@code 127.0.1.1} line when the file has one (Debian's installer
 * writes it so that the host resolves its own name).
 *
 * <p><b>Probe.</b> One exec reads all three. The observed {@code name} is the running name when the files agree with
 * it, and otherwise says what disagrees, e.g. {@code vm (/etc/hostname: old)}, so the plan shows why it acts.
 *
 * <p><b>Apply.</b> With systemd as init ({@code /run/systemd/system} exists) {@code hostnamectl set-hostname};
 * otherwise /etc/hostname is replaced atomically and {@code hostname NAME} sets the running name. Then an existing
 * {@code 127.0.1.1} line of /etc/hosts is rewritten to {@code 127.0.1.1 NAME [SHORT]}; a file without one is left
 * alone, since such a host resolves its name some other way. A host always has a name, so a delete changes nothing:
 * the host keeps the name it has.
 */
public final class HostnameDriver implements Driver {

  public static final String KIND = "hostname";
  public static final String NAME = "name";

  static final String PROBE = """
      printf 'live\\t%s\\n' "$(hostname)"
      printf 'file\\t%s\\n' "$(head -n 1 /etc/hostname 2>/dev/null)"
      h=$(awk '$1 == "127.0.1.1" { print $2; exit }' /etc/hosts 2>/dev/null)
      [ -z "$h" ] || printf 'hosts\\t%s\\n' "$h"
      """;

  /** $1 the name, $2 the names for /etc/hosts' 127.0.1.1 line. */
  private static final String APPLY = """
      set -eu
      if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null; then
        hostnamectl set-hostname "$1"
      else
        tmp=$(mktemp /etc/.converge-hostname.XXXXXX)
        trap 'rm -f -- "$tmp"' EXIT
        printf '%s\\n' "$1" > "$tmp"
        chmod 644 "$tmp"
        mv -f -- "$tmp" /etc/hostname
        trap - EXIT
        hostname "$1"
      fi
      if grep -q '^127\\.0\\.1\\.1[[:space:]]' /etc/hosts 2>/dev/null; then
        tmp=$(mktemp /etc/.converge-hosts.XXXXXX)
        trap 'rm -f -- "$tmp"' EXIT
        awk -v names="$2" '$1 == "127.0.1.1" { if (!done) print "127.0.1.1\\t" names; done = 1; next } { print }' \\
          /etc/hosts > "$tmp"
        chmod 644 "$tmp"
        mv -f -- "$tmp" /etc/hosts
        trap - EXIT
      fi
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
    ExecResult r = Remote.probe(target, Command.of("sh", "-c", PROBE, "sh"), KIND);
    HostnameState state;
    try {
      state = HostnameState.parse(r.out());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe the hostname of " + target.name() + ": " + e.getMessage()
          + r.details(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource resource : batch) {
      observations.add(resource.isPresent()
          ? Observation.present(resource.id(), Properties.builder().put(NAME, state.describe()).build())
          : Observation.absent(resource.id()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    if (!change.desired().isPresent()) {
      return;
    }
    String where = "the hostname of " + target.name();
    String name = change.desired().properties().string(NAME)
        .orElseThrow(() -> new ActionException(where + ": the resource has no `name`"));
    try {
      Names.HOSTNAME.require(name, where);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    Remote.run(target, Command.of("sh", "-c", APPLY, "sh", name, hostsNames(name)), "setting the hostname", where);
  }

  /** {@code server1.example.org server1} for a qualified name, the name alone otherwise. */
  static String hostsNames(String name) {
    int dot = name.indexOf('.');
    return dot < 0 ? name : name + " " + name.substring(0, dot);
  }
}

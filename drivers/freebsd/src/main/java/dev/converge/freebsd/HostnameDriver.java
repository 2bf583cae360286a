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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code hostname} resource on FreeBSD: the running name ({@code hostname}) and the one set at boot
 * ({@code hostname} in rc.conf, through sysrc(8)).
 *
 * <p><b>Resource.</b> Id {@code hostname/HOST:hostname}, property {@code name}.
 *
 * <p><b>Probe.</b> One exec prints both names. When they agree the observed {@code name} is that name; otherwise it
 * says which is which ({@code "old (rc.conf: new)"}, {@code "old (not in rc.conf)"}), so the plan shows why it
 * changes. The observation also carries {@code live} and {@code rc-conf}, which apply uses to do only what is needed.
 *
 * <p><b>Apply.</b> {@code sysrc hostname=NAME} when rc.conf differs, {@code hostname NAME} when the running name
 * does. A host always has a name, so removing the resource from the spec leaves the host's name as it is: the
 * probe of an absent resource reports it absent.
 */
public final class HostnameDriver implements Driver {

  public static final String KIND = "hostname";
  public static final String NAME = "name";
  static final String LIVE = "live";
  static final String RC_CONF = "rc-conf";

  private static final Pattern HOSTNAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  /** sysrc -n prints the value, or fails when rc.conf does not set it (driver-facts §1). */
  static final String SCRIPT = """
      printf 'live %s\\n' "$(hostname)"
      if v=$(sysrc -n hostname 2>/dev/null); then printf 'rc %s\\n' "$v"; fi
      """;

  private static final Logger log = LoggerFactory.getLogger(HostnameDriver.class);

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
    if (batch.stream().noneMatch(Resource::isPresent)) {
      return batch.stream().map(r -> Observation.absent(r.id())).toList();
    }
    Remote remote = Remote.forProbe(target, "the hostname");
    ExecResult r = remote.probe(ProbeOutput.script(SCRIPT, List.of()), "the hostname");
    ProbeOutput.Section out = ProbeOutput.parse(r.out()).preamble();
    String live = out.first("live").filter(s -> !s.isEmpty()).orElseThrow(() -> new ProbeException(
        "cannot probe the hostname on " + target.name() + ": hostname printed nothing" + Remote.detail(r)));
    Optional<String> rcConf = out.first("rc");
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      observations.add(res.isPresent()
          ? Observation.present(res.id(), Properties.builder()
              .put(NAME, summary(live, rcConf))
              .put(LIVE, live)
              .put(RC_CONF, rcConf)
              .build())
          : Observation.absent(res.id()));
    }
    return observations;
  }

  private static String summary(String live, Optional<String> rcConf) {
    if (rcConf.equals(Optional.of(live))) {
      return live;
    }
    return live + rcConf.map(c -> " (rc.conf: " + c + ")").orElse(" (not in rc.conf)");
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    Resource desired = change.desired();
    if (!desired.isPresent()) {
      log.debug("hostname on {} left as it is: a host always has a name", target.name());
      return;
    }
    String name = desired.properties().string(NAME).orElseThrow(() -> new ActionException(
        "hostname on " + target.name() + ": property `name` is missing"));
    if (!HOSTNAME.matcher(name).matches() || name.length() > 253) {
      throw new ActionException("hostname on " + target.name() + ": `" + name
          + "` is not a host name (letters, digits and `-` in dot-separated labels)");
    }
    Optional<Properties> seen = change.observed().actual();
    Remote remote = Remote.forAction(target, "the hostname");
    if (!seen.flatMap(p -> p.string(RC_CONF)).equals(Optional.of(name))) {
      remote.sysrc(List.of(Command.of("sysrc", "hostname=" + name)), "the hostname in rc.conf");
    }
    if (!seen.flatMap(p -> p.string(LIVE)).equals(Optional.of(name))) {
      remote.run(Command.of("hostname", name), "the running hostname");
    }
  }
}

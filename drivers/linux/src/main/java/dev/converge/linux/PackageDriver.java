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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code package} resource ({@code package/HOST:NAME}, property {@code installed}, always true): a Debian
 * package installed with apt.
 *
 * <p><b>Probe.</b> One {@code dpkg-query -W} for the whole batch; a package is installed when dpkg's status says
 * {@code installed} (half-installed and config-files are not). <b>Apply.</b> {@code apt-get install -y
 * --no-install-recommends} without questions (keeping changed configuration files), or {@code apt-get remove -y} for
 * a delete; one apt run at a time per host ({@link AptQueue}). A package no repository provides fails naming host
 * and package.
 */
public final class PackageDriver implements Driver {

  public static final String KIND = "package";
  public static final String INSTALLED = "installed";

  private static final Duration APT_TIMEOUT = Duration.ofMinutes(15);
  /** dpkg-query's exit status when some package is unknown to dpkg: the others are still listed. */
  private static final int SOME_NOT_FOUND = 1;

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
    List<String> names = Names.PACKAGE.requireAll(batch, KIND, target);
    List<String> argv = new ArrayList<>(List.of("dpkg-query", "-W", "-f", DpkgStatus.FORMAT, "--"));
    argv.addAll(names);
    ExecResult r = Remote.probe(target, Command.of(argv), KIND);
    if (!r.ok() && r.exitCode() != SOME_NOT_FOUND) {
      throw new ProbeException("cannot probe packages on " + target.name() + ": dpkg-query failed (exit "
          + r.exitCode() + ")" + r.details());
    }
    Set<String> installed;
    try {
      installed = DpkgStatus.installed(r.out());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe packages on " + target.name() + ": " + e.getMessage(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource resource : batch) {
      observations.add(installed.contains(resource.id().name())
          ? Observation.present(resource.id(), Properties.builder().put(INSTALLED, true).build())
          : Observation.absent(resource.id()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.desired().id().name();
    String where = "package " + name + " on " + target.name();
    try {
      Names.PACKAGE.require(name, where);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    String verb = change.desired().isPresent() ? "install" : "remove";
    List<String> argv = new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", verb, "-y", "-q",
        "-o", AptQueue.LOCK_TIMEOUT, "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"));
    if (change.desired().isPresent()) {
      argv.add("--no-install-recommends");
    }
    argv.add(name);
    Command command = new Command(argv, null, APT_TIMEOUT);
    AptQueue.serially(target, () -> {
      ExecResult r = Remote.exec(target, command, where);
      if (r.ok()) {
        return;
      }
      String err = r.err();
      if (err.contains("Unable to locate package") || err.contains("has no installation candidate")) {
        throw new ActionException("cannot install " + where + ": no repository of the host provides it (apt-get: "
            + firstError(err) + "); add one that does under the host's `repositories`");
      }
      throw new ActionException("cannot " + verb + " " + where + ": apt-get " + verb + " failed (exit "
          + r.exitCode() + ")" + r.details());
    });
  }

  private static String firstError(String err) {
    return err.lines().filter(l -> l.startsWith("E: ")).findFirst().orElse(err.strip());
  }
}

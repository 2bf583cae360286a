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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The {@code package} resource on FreeBSD, through pkg(8).
 *
 * <p><b>Resource.</b> Id {@code package/HOST:NAME}, property {@code installed} ({@code true}). NAME is a package
 * name ({@code frr10}), an origin ({@code net/frr10}) or a name with its version ({@code frr10-10.2.1}).
 *
 * <p><b>Probe.</b> One exec for the batch: {@code pkg query -a '%n %o %v'} lists every installed package (pkg-query(8):
 * name, origin, version), skipped when pkg is not bootstrapped yet ({@code pkg -N}), which means nothing is
 * installed. A package is observed {@code installed: true} or absent.
 *
 * <p><b>Apply.</b> {@code env ASSUME_ALWAYS_YES=yes pkg install -y NAME} (which also bootstraps pkg), one at a time
 * per host since pkg locks its database. A name no repository has ("No packages available to install matching")
 * fails naming host and package. A delete is {@code pkg delete -y NAME}.
 */
public final class PackageDriver implements Driver {

  public static final String KIND = "package";
  public static final String INSTALLED = "installed";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,127}");
  private static final String NOT_FOUND = "No packages available to install matching";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(30);

  static final String SCRIPT = """
      pkg -N >/dev/null 2>&1 || exit 0
      exec pkg query -a '%n %o %v'
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
    for (Resource r : batch) {
      if (!NAME.matcher(r.id().name()).matches()) {
        throw new ProbeException(invalidName(r.id().name(), target.name()));
      }
    }
    ExecResult r = Remote.forProbe(target, "packages").probe(ProbeOutput.script(SCRIPT, List.of()), "packages");
    if (!r.ok()) {
      throw new ProbeException("cannot probe packages on " + target.name() + ": pkg query failed (exit "
          + r.exitCode() + ")" + Remote.detail(r));
    }
    Set<String> installed = installedNames(r.out());
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      observations.add(installed.contains(res.id().name())
          ? Observation.present(res.id(), Properties.builder().put(INSTALLED, true).build())
          : Observation.absent(res.id()));
    }
    return observations;
  }

  /** Every way a spec can name an installed package: name, origin, name-version. */
  static Set<String> installedNames(String queryOutput) {
    Set<String> names = new HashSet<>();
    for (String line : queryOutput.lines().toList()) {
      String[] f = line.strip().split(" ");
      if (f.length == 3) {
        names.add(f[0]);
        names.add(f[1]);
        names.add(f[0] + "-" + f[2]);
      }
    }
    return names;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.id().name();
    if (!NAME.matcher(name).matches()) {
      throw new ActionException(invalidName(name, target.name()));
    }
    String what = "package `" + name + "`";
    Remote remote = Remote.forAction(target, what);
    String verb = change.desired().isPresent() ? "install" : "delete";
    Command command = new Command(List.of("env", "ASSUME_ALWAYS_YES=yes", "pkg", verb, "-y", name), null,
        INSTALL_TIMEOUT);
    ReentrantLock lock = TargetLocks.PKG.of(target);
    lock.lock();
    ExecResult r;
    try {
      r = remote.exec(command, what);
    } finally {
      lock.unlock();
    }
    if (r.ok()) {
      return;
    }
    if (r.out().contains(NOT_FOUND) || r.err().contains(NOT_FOUND)) {
      throw new ActionException(what + " on " + target.name()
          + ": no repository has it (pkg: No packages available to install matching '" + name + "')");
    }
    throw new ActionException("cannot " + verb + " " + what + " on " + target.name() + ": pkg " + verb
        + " failed (exit " + r.exitCode() + ")" + Remote.detail(r));
  }

  private static String invalidName(String name, String host) {
    return "package `" + name + "` on " + host
        + ": not a package name (expected letters, digits and `._+:@/-`, starting with a letter or digit)";
  }
}

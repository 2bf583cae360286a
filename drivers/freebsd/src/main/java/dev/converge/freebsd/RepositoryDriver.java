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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code package-repository} resource on FreeBSD: a pkg repository converge configures, in a file of its own
 * ({@link RepositoryConf}).
 *
 * <p><b>Resource.</b> Id {@code package-repository/HOST:NAME}, property {@code source}: the repository URL.
 *
 * <p><b>Probe.</b> One exec reads every repository file of the batch. Absent without a file; otherwise the observed
 * {@code source} is its url, marked when the file is not exactly what converge writes.
 *
 * <p><b>Apply.</b> The file is written (0644), then {@code pkg update -r NAME} fetches the catalogue. When that
 * fails, the previous file is put back (or the new one removed), so a wrong URL does not break later pkg runs; the
 * error names host, repository and pkg's message. A delete removes the file.
 */
public final class RepositoryDriver implements Driver {

  public static final String KIND = "package-repository";
  public static final String SOURCE = "source";

  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      for n do
        printf '= %s\\n' "$n"
        f=/usr/local/etc/pkg/repos/converge-$n.conf
        if [ -f "$f" ]; then echo 'exists'; lines c < "$f"; fi
      done
      exit 0
      """;

  private static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(10);

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
      if (!RepositoryConf.isValidName(r.id().name())) {
        throw new ProbeException(invalidName(r.id().name(), target.name()));
      }
      names.add(r.id().name());
    }
    ExecResult r = Remote.forProbe(target, "package repositories")
        .probe(ProbeOutput.script(SCRIPT, names), "package repositories");
    ProbeOutput out = ProbeOutput.parse(r.out());
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      String name = res.id().name();
      ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ProbeException("cannot probe package "
          + "repositories on " + target.name() + ": no answer for `" + name + "`" + Remote.detail(r)));
      if (!s.has("exists")) {
        observations.add(Observation.absent(res.id()));
        continue;
      }
      String text = s.all("c").stream().map(l -> l + "\n").reduce("", String::concat);
      observations.add(Observation.present(res.id(),
          Properties.builder().put(SOURCE, RepositoryConf.observedSource(name, text)).build()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    Resource desired = change.desired();
    String name = desired.id().name();
    if (!RepositoryConf.isValidName(name)) {
      throw new ActionException(invalidName(name, target.name()));
    }
    String what = "package repository `" + name + "`";
    Remote remote = Remote.forAction(target, what);
    String path = RepositoryConf.path(name);
    if (!desired.isPresent()) {
      remote.run(Command.of("rm", "-f", "--", path), what);
      return;
    }
    String url = desired.properties().string(SOURCE).orElse("");
    if (!RepositoryConf.isValidUrl(url)) {
      throw new ActionException(what + " on " + target.name() + ": source `" + url + "` is not a repository URL"
          + " (expected a URL such as pkg+http://pkg.example.org/${ABI}/latest, without spaces, quotes or `\\`)");
    }
    ReentrantLock lock = TargetLocks.PKG.of(target);
    lock.lock();
    try {
      Optional<String> previous = remote.read(path, what);
      write(remote, path, new RepositoryConf(name, url).text(), what);
      ExecResult update = remote.exec(new Command(
          List.of("env", "ASSUME_ALWAYS_YES=yes", "pkg", "update", "-r", name), null, UPDATE_TIMEOUT), what);
      if (!update.ok()) {
        if (previous.isPresent()) {
          write(remote, path, previous.get(), what);
        } else {
          remote.run(Command.of("rm", "-f", "--", path), what);
        }
        throw new ActionException(what + " on " + target.name() + ": pkg update -r " + name + " failed (exit "
            + update.exitCode() + ")" + Remote.detail(update) + "; the repository file was left as it was");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Writes the file; its directory is created when missing (pkg does not ship it). */
  private static void write(Remote remote, String path, String text, String what) throws ActionException {
    try {
      remote.write(path, text, FileAttributes.mode(0644), what);
    } catch (ActionException first) {
      remote.run(Command.of("mkdir", "-p", "-m", "0755", "--", RepositoryConf.DIRECTORY), what);
      remote.write(path, text, FileAttributes.mode(0644), what);
    }
  }

  private static String invalidName(String name, String host) {
    return "package repository `" + name + "` on " + host
        + ": not a repository name (expected letters, digits, `_` and `-`, starting with a letter or digit)";
  }
}

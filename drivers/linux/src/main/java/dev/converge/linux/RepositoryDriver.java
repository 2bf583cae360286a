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
 * The {@code package-repository} resource ({@code package-repository/HOST:NAME}, property {@code source}, one
 * sources.list line such as {@code deb [trusted=yes] file:/srv/repo ./}): the file
 * {@code /etc/apt/sources.list.d/converge-NAME.list}, which converge owns whole.
 *
 * <p><b>Probe.</b> One exec reads every file of the batch; the observed {@code source} is the file's text without
 * its final newline. <b>Apply.</b> The file is written atomically (0644), then {@code apt-get update} refreshes that
 * source list alone (so a host without internet access is not sent looking for its other sources), serialised with
 * the host's other apt runs. A delete removes the file.
 */
public final class RepositoryDriver implements Driver {

  public static final String KIND = "package-repository";
  public static final String SOURCE = "source";

  static final String DIRECTORY = "/etc/apt/sources.list.d/";
  private static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(10);

  static final String PROBE = """
      for f do
        if [ -f "$f" ]; then printf '%s\\n' "$(base64 -w0 < "$f")"; else echo -; fi
      done
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
    Names.REPOSITORY.requireAll(batch, "repository", target).forEach(name -> argv.add(file(name)));
    ExecResult r = Remote.probe(target, Command.of(argv), KIND);
    List<String> lines = r.out().lines().toList();
    if (lines.size() != batch.size()) {
      throw new ProbeException("cannot probe repositories on " + target.name() + ": expected one line per file ("
          + batch.size() + "), found " + lines.size() + r.details());
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Resource resource = batch.get(i);
      String line = lines.get(i);
      if (line.equals(Base64Text.MISSING)) {
        observations.add(Observation.absent(resource.id()));
        continue;
      }
      String content;
      try {
        content = Base64Text.decode(line, file(resource.id().name()));
      } catch (IllegalStateException e) {
        throw new ProbeException("cannot probe repositories on " + target.name() + ": " + e.getMessage(), e);
      }
      observations.add(Observation.present(resource.id(),
          Properties.builder().put(SOURCE, content.stripTrailing()).build()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.desired().id().name();
    String where = "repository " + name + " on " + target.name();
    String file;
    try {
      file = file(Names.REPOSITORY.require(name, where));
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    if (!change.desired().isPresent()) {
      Remote.run(target, Command.of("rm", "-f", "--", file), "rm " + file, where);
      return;
    }
    String source = change.desired().properties().string(SOURCE)
        .orElseThrow(() -> new ActionException(where + ": the resource has no `source`"));
    requireSourceLine(source, where);
    AptQueue.serially(target, () -> {
      Remote.write(target, file, source + "\n", 0644, where);
      update(target, file, where);
    });
  }

  /** {@code apt-get update} of one source list: the others' indexes are neither fetched nor cleaned up. */
  private static void update(Target target, String file, String where) throws ActionException {
    Command update = new Command(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-q",
        "-o", AptQueue.LOCK_TIMEOUT,
        "-o", "Dir::Etc::sourcelist=" + file,
        "-o", "Dir::Etc::sourceparts=-",
        "-o", "APT::Get::List-Cleanup=0"), null, UPDATE_TIMEOUT);
    ExecResult r = Remote.exec(target, update, where);
    String output = r.out() + r.err();
    if (!r.ok() || output.contains("Failed to fetch") || output.contains("W: Some index files failed")) {
      throw new ActionException("cannot use " + where + ": apt-get update failed (exit " + r.exitCode() + ")"
          + r.details());
    }
  }

  private static void requireSourceLine(String source, String where) throws ActionException {
    String type = source.strip().split("\\s+", 2)[0];
    if (source.chars().anyMatch(c -> c < 0x20 && c != '\t') || !(type.equals("deb") || type.equals("deb-src"))) {
      throw new ActionException(where + ": `source` must be one sources.list line starting with `deb` or `deb-src`,"
          + " e.g. `deb [trusted=yes] file:/srv/repo ./`");
    }
  }

  static String file(String name) {
    return DIRECTORY + "converge-" + name + ".list";
  }
}

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
 * The {@code sysctl} resource ({@code sysctl/HOST:KEY}, property {@code value}, a string): the live kernel value and
 * the persisted one, in a file of its own, {@code /etc/sysctl.d/90-converge-KEY.conf} (one file per key, since the
 * actions of one host run in parallel and must not rewrite each other's files).
 *
 * <p><b>Probe.</b> One exec for the batch reads every key's live value ({@code sysctl -n}) and its file. The resource
 * is that file: without it the key is observed absent (so converge counts the setting as its own creation, and
 * removes the file when the spec drops the key). Whitespace is normalised (multi-value keys print tabs), so
 * {@code "32768 60999"} matches {@code 32768<TAB>60999}; when live and persisted values both match the desired one,
 * the observation is the desired text itself. Otherwise the observed {@code value} is the live one, followed by
 * {@code (not persisted)} or {@code (persisted: OTHER)} when the file disagrees. Applying a key the kernel does not
 * have fails naming host and key, and changes nothing.
 *
 * <p><b>Apply.</b> {@code sysctl -w KEY=VALUE}, then the file is written atomically (0644). A delete removes the
 * file converge wrote; the live value stays until the next boot, like Ansible's {@code state: absent}.
 */
public final class SysctlDriver implements Driver {

  public static final String KIND = "sysctl";
  public static final String VALUE = "value";

  static final String DIRECTORY = "/etc/sysctl.d/";
  /** The observed value of a key the kernel lacks, though converge's file for it exists. */
  static final String NO_SUCH_KEY = "(no such key in the kernel)";

  static final String PROBE = """
      for k do
        f=/etc/sysctl.d/90-converge-$k.conf
        if [ -f "$f" ]; then p=$(base64 -w0 < "$f"); else p=-; fi
        if v=$(sysctl -n "$k" 2>/dev/null); then
          printf 'v\\t%s\\t%s\\n' "$(printf '%s' "$v" | tr '\\t\\n' '  ')" "$p"
        else
          printf 'u\\t\\t%s\\n' "$p"
        fi
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
    argv.addAll(Names.SYSCTL_KEY.requireAll(batch, KIND, target));
    ExecResult r = Remote.probe(target, Command.of(argv), KIND);
    List<SysctlState> states;
    try {
      states = SysctlState.parse(r.out(), batch.stream().map(x -> x.id().name()).toList());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe sysctl on " + target.name() + ": " + e.getMessage() + r.details(),
          e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Resource resource = batch.get(i);
      SysctlState state = states.get(i);
      if (state.persisted().isEmpty()) {
        observations.add(Observation.absent(resource.id()));
      } else if (!resource.isPresent()) {
        observations.add(Observation.present(resource.id(),
            Properties.builder().put(VALUE, state.persisted().get()).build()));
      } else {
        String value = state.live().isEmpty() ? NO_SUCH_KEY : state.describe(resource.properties().string(VALUE)
            .orElse(""));
        observations.add(Observation.present(resource.id(), Properties.builder().put(VALUE, value).build()));
      }
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String key = change.desired().id().name();
    String where = "sysctl " + key + " on " + target.name();
    try {
      Names.SYSCTL_KEY.require(key, where);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    String file = file(key);
    if (!change.desired().isPresent()) {
      Remote.run(target, Command.of("rm", "-f", "--", file), "rm " + file, where);
      return;
    }
    String value = change.desired().properties().string(VALUE)
        .orElseThrow(() -> new ActionException(where + ": the resource has no `value`"));
    if (value.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
      throw new ActionException(where + ": the value must be one line");
    }
    ExecResult set = Remote.exec(target, Command.of("sysctl", "-w", key + "=" + value), where);
    if (!set.ok()) {
      if (set.err().contains("No such file or directory")) {
        throw new ActionException(where + ": the kernel has no such key (no /proc/sys/" + key.replace('.', '/')
            + "); check its spelling, or whether a module must be loaded first");
      }
      throw new ActionException("cannot set " + where + " to `" + value + "`: sysctl -w failed (exit "
          + set.exitCode() + ")" + set.details());
    }
    Remote.write(target, file, "# written by converge\n" + key + " = " + value + "\n", 0644, where);
  }

  static String file(String key) {
    return DIRECTORY + "90-converge-" + key + ".conf";
  }
}

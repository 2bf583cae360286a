package dev.converge.cli;

import dev.converge.engine.Engine;
import dev.converge.spec.Spec;
import dev.converge.spec.Suggestions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * {@code --limit HOST[,HOST...]}, as Ansible's: a run probes, plans and changes only these hosts and leaves every
 * other host of the spec alone, as watch leaves a paused host (a rolling change, one host at a time).
 */
public final class HostLimit {

  @Option(names = "--limit", paramLabel = "HOST[,HOST...]", split = ",",
      description = "Probe, plan and change only these hosts of the spec; leave the others alone.")
  List<String> hosts = List.of();

  /**
   * {@code options} with every host outside the limit paused (unchanged without {@code --limit}); exits 65 naming a
   * host the spec does not have.
   */
  Engine.Options apply(Spec spec, Engine.Options options, Console console) throws Session.Exit {
    if (hosts.isEmpty()) {
      return options;
    }
    Set<String> known = spec.hosts().keySet();
    for (String host : hosts) {
      if (!known.contains(host)) {
        List<String> sorted = List.copyOf(new TreeSet<>(known));
        String listed = sorted.size() <= 10 ? String.join(", ", sorted)
            : String.join(", ", sorted.subList(0, 10)) + " and " + (sorted.size() - 10) + " more";
        console.error("--limit: the spec " + spec.root() + " has no host `" + host + "`"
            + Suggestions.didYouMean(host, known) + " (its hosts: " + listed + "); nothing was done.");
        throw new Session.Exit(ExitCode.INVALID_SPEC);
      }
    }
    Set<String> outside = new TreeSet<>(known);
    outside.removeAll(hosts);
    return options.pausing(outside);
  }
}

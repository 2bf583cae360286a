package dev.converge.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.plan.PlanJson;
import dev.converge.spec.Spec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code converge validate SPEC}: every error at once, with file:line:column; exit 0 valid, 65 invalid. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Checks the spec without contacting any host.", "Exit status: 0 valid, 65 invalid."})
final class ValidateCommand implements Callable<Integer> {

  @Mixin CommonOptions options;

  @Parameters(index = "0", paramLabel = "SPEC", description = "The spec.")
  Path specFile;

  @Override
  public Integer call() {
    Session session = new Session(options);
    Spec spec;
    try {
      spec = session.load(specFile);
    } catch (Session.Exit e) {
      if (options.json) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("valid", false);
        session.console.out().print(PlanJson.write(n));
      }
      return e.exitCode;
    }
    String summary = String.join(", ", count(spec.hosts().size(), "host"), count(spec.networks().size(), "network"),
        count(spec.jails().size(), "jail"), count(spec.zones().size(), "zone"),
        count(spec.ospf().areas().size(), "OSPF area"), count(spec.images().size(), "image"),
        count(spec.files().size(), "file"), count(spec.resources().size(), "other resource"));
    if (options.json) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("valid", true);
      n.put("site", spec.site());
      n.put("summary", summary);
      session.console.out().print(PlanJson.write(n));
    } else {
      session.console.out().println(specFile + ": valid (site " + spec.site() + ": " + summary + ")");
    }
    return ExitCode.OK;
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}

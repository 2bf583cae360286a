package dev.converge.cli;

import dev.converge.engine.Engine;
import dev.converge.engine.EngineException;
import dev.converge.engine.EngineListener;
import dev.converge.engine.RunReport;
import dev.converge.plan.Plan;
import dev.converge.plan.PlanJson;
import dev.converge.plan.PlanText;
import dev.converge.probe.Prober;
import dev.converge.spec.Spec;
import dev.converge.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code converge plan SPEC}: what would change, for review; exit 0 none, 2 changes, 1 error. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Shows what converge would change, without changing anything.",
        "Exit status: 0 no changes (and nothing printed), 2 changes, 1 error."})
final class PlanCommand implements Callable<Integer> {

  @Mixin CommonOptions options;

  @Mixin HostLimit limit;

  @Parameters(index = "0", paramLabel = "SPEC", description = "The spec.")
  Path specFile;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Also save the plan to FILE, for `converge apply FILE` (refused later if anything changed).")
  Path out;

  @Override
  public Integer call() {
    Session session = new Session(options);
    try {
      Spec spec = session.load(specFile);
      Engine.Options limited = limit.apply(spec, Engine.Options.defaults(), session.console);
      RunReport report;
      try (StateStore store = session.lock(spec, "converge plan " + specFile);
          Engine engine = session.engine(spec, new EngineListener() {
            @Override
            public void probeFailed(Prober.Failure f) {
              session.console.error("cannot probe " + f.kind() + " on " + f.target() + ": " + f.message());
            }
          })) {
        report = engine.plan(spec, store, limited);
        if (out != null) {
          save(report.plan(), spec, store.directory(), session.console);
        }
      }
      Plan plan = report.plan();
      plan.notes().forEach(session.console::note);
      if (options.json) {
        session.console.out().print(PlanJson.render(plan, spec.root(), options.stateDirectory(spec.root())));
      } else if (!plan.isEmpty()) {
        PlanText text = session.console.colour() ? PlanText.coloured() : PlanText.plain();
        session.console.out().print(text.render(plan));
      }
      session.timings.mark("done");
      session.timings.print();
      if (!report.probeFailures().isEmpty()) {
        session.console.error("the plan is incomplete: " + report.probeFailures().size() + " probe(s) failed");
        return ExitCode.FAILED;
      }
      return plan.isEmpty() ? ExitCode.OK : ExitCode.CHANGES;
    } catch (Session.Exit e) {
      return e.exitCode;
    } catch (EngineException e) {
      return session.failed(e);
    } catch (InterruptedException e) {
      return ExitCode.INTERRUPTED;
    }
  }

  /** Writes the plan file atomically, readable by its owner only (it names hosts and paths). */
  private void save(Plan plan, Spec spec, Path stateDir, Console console) throws Session.Exit {
    try {
      Path abs = out.toAbsolutePath();
      Path tmp = Files.createTempFile(abs.getParent(), ".plan", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, PlanJson.render(plan, spec.root(), stateDir));
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      console.error("cannot write plan to " + out + ": " + e.getMessage());
      throw new Session.Exit(ExitCode.FAILED);
    }
  }
}

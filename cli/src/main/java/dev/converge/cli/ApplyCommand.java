package dev.converge.cli;

import dev.converge.engine.Engine;
import dev.converge.engine.EngineException;
import dev.converge.engine.RunReport;
import dev.converge.plan.PlanJson;
import dev.converge.spec.Spec;
import dev.converge.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code converge apply SPEC|PLAN}: converge, or apply a saved plan if it is still what would be done. */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Converges the site: probe, plan, apply, verify, until nothing differs.",
        "Given a plan file from `converge plan --out`, applies it only if the spec, the state and the hosts",
        "are still as they were when it was made."})
final class ApplyCommand implements Callable<Integer> {

  @Mixin CommonOptions options;

  @Mixin HostLimit limit;

  @Parameters(index = "0", paramLabel = "SPEC|PLAN", description = "The spec, or a saved plan.")
  Path target;

  @Override
  public Integer call() {
    return new Apply(new Session(options), limit).run(target);
  }

  /** The apply logic, shared with the root command ({@code converge SPEC}). */
  static final class Apply {
    private final Session session;
    private final HostLimit limit;

    Apply(Session session, HostLimit limit) {
      this.session = session;
      this.limit = limit;
    }

    int run(Path target) {
      try {
        PlanJson.Saved saved = savedPlan(target);
        Path specFile = saved == null ? target : Path.of(saved.spec());
        if (saved != null && session.options.stateDir == null) {
          session.options.stateDir = Path.of(saved.stateDir());
        }
        Spec spec = session.load(specFile);
        Engine.Options runOptions = limit.apply(spec,
            saved == null ? Engine.Options.defaults() : Engine.Options.applying(saved), session.console);
        RunPrinter printer = new RunPrinter(session.console, session.options.json, session.timings);
        try (StateStore store = session.lock(spec, "converge apply " + target);
            Engine engine = session.engine(spec, printer);
            GracefulStop stop = GracefulStop.interruptingCurrentThread()) {
          RunReport report = engine.apply(spec, store, runOptions);
          printer.finish(report);
          session.timings.print();
          return report.converged() ? ExitCode.OK : ExitCode.FAILED;
        }
      } catch (Session.Exit e) {
        return e.exitCode;
      } catch (EngineException e) {
        return session.failed(e);
      } catch (InterruptedException e) {
        session.console.error("interrupted; what finished is recorded, run converge again to finish");
        return ExitCode.INTERRUPTED;
      }
    }

    /** The saved plan in {@code target}, or null if {@code target} is a spec. */
    private PlanJson.Saved savedPlan(Path target) throws Session.Exit {
      byte[] head;
      try {
        if (!Files.isRegularFile(target)) {
          return null;
        }
        head = Files.readAllBytes(target);
      } catch (IOException e) {
        return null;
      }
      String text = new String(head, 0, Math.min(head.length, 64), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (!text.startsWith("{")) {
        return null;
      }
      try {
        return PlanJson.read(head);
      } catch (IOException e) {
        session.console.error(target + ": " + e.getMessage());
        throw new Session.Exit(ExitCode.FAILED);
      }
    }
  }
}

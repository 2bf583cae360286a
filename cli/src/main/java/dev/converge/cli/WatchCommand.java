package dev.converge.cli;

import dev.converge.cli.watch.WatchLoop;
import dev.converge.cli.watch.WatchStatus;
import dev.converge.engine.Engine;
import dev.converge.engine.EngineException;
import dev.converge.engine.RunReport;
import dev.converge.probe.ProbeCache;
import dev.converge.spec.Spec;
import dev.converge.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code converge watch SPEC}: keep converging, on an interval and on spec changes, with a status endpoint. */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Keeps the site converged: every --interval (with jitter) and whenever a spec file changes.",
        "Failing hosts are backed off; --listen serves /healthz, /status and /metrics. Ctrl-C or SIGTERM stops",
        "after the run in progress."})
final class WatchCommand implements Callable<Integer> {

  @Mixin CommonOptions options;

  @Mixin HostLimit limit;

  @Parameters(index = "0", paramLabel = "SPEC", description = "The spec.")
  Path specFile;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
      description = "Time between runs (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--listen", paramLabel = "[HOST:]PORT",
      description = "Serve /healthz, /status, /metrics here (default: not served; HOST defaults to 127.0.0.1).")
  String listen;

  @Override
  public Integer call() throws IOException {
    Session session = new Session(options);
    WatchStatus status = new WatchStatus(interval);
    RunPrinter printer = new RunPrinter(session.console, options.json, session.timings);
    Engine engine;
    try {
      Spec spec = session.load(specFile);
      limit.apply(spec, Engine.Options.defaults(), session.console);
      engine = session.engineBuilder(spec, printer)
          .probeCache(ProbeCache.expiringAfter(interval.dividedBy(2)))
          .build();
    } catch (Session.Exit e) {
      return e.exitCode;
    }
    WatchLoop loop = new WatchLoop(paused -> once(session, engine, printer, paused), interval, status);
    try (engine; AutoCloseable server = serve(status, session.console);
        GracefulStop stop = GracefulStop.onSignal(loop::stop)) {
      loop.run(specFile);
    } catch (IllegalArgumentException e) {
      session.console.error(e.getMessage());
      return ExitCode.USAGE;
    } catch (Exception e) {
      session.console.error(e.getMessage());
      return ExitCode.FAILED;
    }
    return ExitCode.OK;
  }

  private AutoCloseable serve(WatchStatus status, Console console) throws IOException {
    if (listen == null) {
      return () -> { };
    }
    var server = dev.converge.cli.watch.StatusServer.start(listen, status);
    console.err().println("serving /healthz, /status, /metrics on http://" + server.address().getHostString() + ":"
        + server.address().getPort());
    return server;
  }

  private WatchLoop.Attempt once(Session session, Engine engine, RunPrinter printer, Set<String> paused)
      throws InterruptedException {
    Spec spec;
    try {
      spec = session.load(specFile);
    } catch (Session.Exit e) {
      return new WatchLoop.Attempt(Optional.empty(), Optional.of("the spec is invalid; keeping hosts as they are"),
          "", List.of(specFile));
    }
    String digest = dev.converge.engine.SpecDigest.of(spec.sources());
    Engine.Options options;
    try {
      options = limit.apply(spec, Engine.Options.defaults(), session.console).pausing(paused);
    } catch (Session.Exit e) {
      return new WatchLoop.Attempt(Optional.empty(), Optional.of("--limit names a host the spec no longer has"),
          digest, spec.sources());
    }
    try (StateStore store = session.lock(spec, "converge watch " + specFile)) {
      engine.transports().retain(spec.hosts().keySet());
      RunReport report = engine.apply(spec, store, options);
      printer.finish(report);
      return new WatchLoop.Attempt(Optional.of(report), Optional.empty(), digest, spec.sources());
    } catch (Session.Exit e) {
      return new WatchLoop.Attempt(Optional.empty(), Optional.of("state locked or unreadable (exit " + e.exitCode
          + ")"), digest, spec.sources());
    } catch (EngineException e) {
      session.console.error(e.getMessage());
      return new WatchLoop.Attempt(Optional.empty(), Optional.of(e.getMessage()), digest, spec.sources());
    }
  }
}

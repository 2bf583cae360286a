package dev.converge.cli;

import dev.converge.driver.DriverRegistry;
import dev.converge.engine.Endpoints;
import dev.converge.engine.Engine;
import dev.converge.engine.EngineException;
import dev.converge.engine.EngineListener;
import dev.converge.execute.Executor;
import dev.converge.lab.Lab;
import dev.converge.lab.LabException;
import dev.converge.spec.Problem;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecException;
import dev.converge.spec.SpecLoader;
import dev.converge.state.FileStateStore;
import dev.converge.state.LockRequest;
import dev.converge.state.StateException;
import dev.converge.state.StateLockedException;
import dev.converge.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The plumbing every command shares: drivers, spec, state lock, engine — each failure mapped to its exit code. */
final class Session {

  /** A failure that ends the command with {@code exitCode}; the message has already been printed. */
  static final class Exit extends Exception {
    final int exitCode;

    Exit(int exitCode) {
      super(null, null, false, false);
      this.exitCode = exitCode;
    }
  }

  /** The spec being loaded while the command line is parsed; set once by {@link Main}. */
  static volatile SpecPrefetch prefetch = SpecPrefetch.none();

  final CommonOptions options;
  final Console console;
  final Timings timings;
  private DriverRegistry registry;

  Session(CommonOptions options) {
    this.options = options;
    this.console = Console.system(options);
    this.timings = new Timings(options.timings, console);
  }

  DriverRegistry registry() throws Exit {
    if (registry == null) {
      try {
        registry = options.driversDirectory().isPresent()
            ? DriverRegistry.load(options.driversDirectory().get())
            : DriverRegistry.load();
      } catch (IOException | RuntimeException e) {
        console.error("cannot load drivers: " + e.getMessage());
        throw new Exit(ExitCode.FAILED);
      }
    }
    return registry;
  }

  /**
   * Loads and validates the spec, as the lab sees it with --lab; prints warnings; on errors prints them all and
   * exits 65.
   */
  Spec load(Path file) throws Exit {
    return load(file, options.lab);
  }

  /** {@link #load(Path)}, with the spec's {@code lab} section merged over it when {@code lab}. */
  Spec load(Path file, boolean lab) throws Exit {
    if (!Files.isRegularFile(file)) {
      console.error("no spec file " + file);
      throw new Exit(ExitCode.INVALID_SPEC);
    }
    try {
      Optional<SpecLoader.Result> early = prefetch.take(file, options.driversDirectory(), lab);
      SpecLoader.Result result = early.isPresent() ? early.get()
          : SpecLoader.builder().knownKinds(registry().kinds()).lab(lab).build().load(file);
      result.warnings().forEach(w -> console.err().println(w));
      timings.mark("spec loaded");
      return result.spec();
    } catch (SpecException e) {
      for (Problem p : e.problems()) {
        console.err().println(p);
      }
      long errors = e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
      console.err().println(errors + (errors == 1 ? " error" : " errors") + " in " + file + "; nothing was done.");
      throw new Exit(ExitCode.INVALID_SPEC);
    } catch (IOException e) {
      console.error("cannot read " + file + ": " + e.getMessage());
      throw new Exit(ExitCode.INVALID_SPEC);
    }
  }

  /** Opens the state directory and takes its lock (waiting up to --lock-timeout); exits 75 if another run holds it. */
  StateStore lock(Spec spec, String command) throws Exit {
    Path dir = options.stateDirectory(spec.root());
    try {
      return FileStateStore.open(dir, spec.site(), new LockRequest(options.lockTimeout, command));
    } catch (StateLockedException e) {
      console.error(e.getMessage());
      throw new Exit(ExitCode.LOCKED);
    } catch (StateException e) {
      console.error(e.getMessage());
      throw new Exit(ExitCode.FAILED);
    }
  }

  /** Prints why the engine stopped and returns the exit status for it: 65 for a spec it cannot compile, else 1. */
  int failed(EngineException e) {
    console.error(e.getMessage());
    return e.kind() == EngineException.Kind.INVALID_SPEC ? ExitCode.INVALID_SPEC : ExitCode.FAILED;
  }

  Engine engine(Spec spec, EngineListener listener) throws Exit {
    return engineBuilder(spec, listener).build();
  }

  /** The engine as the options ask for it; with --lab it reaches the lab's hosts, bringing the lab up first. */
  Engine.Builder engineBuilder(Spec spec, EngineListener listener) throws Exit {
    Engine.Builder b = Engine.builder(registry())
        .limits(new Executor.Limits(options.parallelism, options.perHost))
        .maxRounds(options.maxRounds)
        .listener(listener);
    if (options.lab) {
      b.endpoints(labEndpoints(spec)).lab(true);
    }
    return b;
  }

  Lab lab(Spec spec) {
    return Lab.of(spec, options.stateDirectory(spec.root()));
  }

  private Endpoints labEndpoints(Spec spec) throws Exit {
    Lab lab = lab(spec);
    try {
      if (!lab.status().up()) {
        lab.up(console.err()::println);
        timings.mark("lab up");
      } else {
        lab.prepareMirrors(console.err()::println);
      }
    } catch (LabException e) {
      console.error(e.getMessage());
      throw new Exit(ExitCode.FAILED);
    }
    List<String> notLinux = spec.hosts().values().stream().filter(h -> !h.os().equals("linux"))
        .map(h -> h.name() + " (" + h.os() + ")").toList();
    if (!notLinux.isEmpty()) {
      console.note("lab: every host runs the Linux drivers, whatever its os says: " + String.join(", ", notLinux));
    }
    return lab.endpoints();
  }
}

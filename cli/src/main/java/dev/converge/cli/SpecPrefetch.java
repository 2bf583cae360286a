package dev.converge.cli;

import dev.converge.driver.DriverRegistry;
import dev.converge.spec.SpecException;
import dev.converge.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Start-up overlap: picocli needs about 0.2 s to build its command model, and the spec (the last argument that names
 * a file) can be loaded meanwhile on the other core. {@link Session} uses the result only if it asks for the same
 * file with the same drivers directory and lab view, so the outcome — spec, warnings, errors — is exactly what
 * loading it then would give.
 */
final class SpecPrefetch {

  private static final SpecPrefetch NONE = new SpecPrefetch(null, null, false, null);

  private final Path file;
  private final Path drivers;
  private final boolean lab;
  private final CompletableFuture<SpecLoader.Result> result;
  private final AtomicBoolean taken = new AtomicBoolean();

  private SpecPrefetch(Path file, Path drivers, boolean lab, CompletableFuture<SpecLoader.Result> result) {
    this.file = file;
    this.drivers = drivers;
    this.lab = lab;
    this.result = result;
  }

  static SpecPrefetch none() {
    return NONE;
  }

  /** Starts loading the spec the arguments most likely name; {@link #none()} if none does. */
  static SpecPrefetch start(String[] args) {
    Path candidate = null;
    // `converge --lab SPEC` and `converge lab up SPEC` load the spec as the lab sees it
    boolean lab = args.length > 0 && args[0].equals("lab");
    Path drivers = Optional.ofNullable(System.getenv("CONVERGE_DRIVERS")).filter(s -> !s.isBlank()).map(Path::of)
        .orElse(null);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--lab")) {
        lab = true;
      } else if (a.equals("--drivers") && i + 1 < args.length) {
        drivers = Path.of(args[++i]);
      } else if (a.startsWith("--drivers=")) {
        drivers = Path.of(a.substring("--drivers=".length()));
      } else if (!a.startsWith("-") && Files.isRegularFile(Path.of(a))) {
        candidate = Path.of(a);
      }
    }
    if (candidate == null) {
      return NONE;
    }
    Path spec = candidate;
    Path driversDir = drivers;
    boolean forLab = lab;
    CompletableFuture<SpecLoader.Result> future = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        DriverRegistry registry = driversDir == null ? DriverRegistry.load() : DriverRegistry.load(driversDir);
        future.complete(SpecLoader.builder().knownKinds(registry.kinds()).lab(forLab).build().load(spec));
      } catch (Throwable e) {
        future.completeExceptionally(e);
      }
    }, "converge-prefetch");
    t.setDaemon(true);
    t.start();
    return new SpecPrefetch(spec.toAbsolutePath().normalize(), driversDir, forLab, future);
  }

  /**
   * The prefetched load of {@code spec}, if this is what was prefetched and nobody took it yet; empty otherwise
   * (load it yourself). Only the first load may use it: {@code watch} reloads an edited spec.
   */
  Optional<SpecLoader.Result> take(Path spec, Optional<Path> driversDir, boolean forLab)
      throws SpecException, IOException {
    if (file == null || !file.equals(spec.toAbsolutePath().normalize()) || lab != forLab
        || !Objects.equals(drivers, driversDir.orElse(null)) || !taken.compareAndSet(false, true)) {
      return Optional.empty();
    }
    try {
      return Optional.of(result.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SpecException s) {
        throw s;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      return Optional.empty();
    }
  }
}

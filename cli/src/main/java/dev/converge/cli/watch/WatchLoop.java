package dev.converge.cli.watch;

import dev.converge.engine.ActionResult;
import dev.converge.engine.RunReport;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps converging: runs every {@code interval} (±10% jitter, so many watchers do not stampede the same hosts) and
 * as soon as a spec file changes; leaves failing hosts alone with exponential backoff; stops cleanly when
 * {@link #stop()} is called, after the run in progress.
 */
public final class WatchLoop {

  private static final Logger LOG = LoggerFactory.getLogger(WatchLoop.class);
  private static final Duration DEBOUNCE = Duration.ofMillis(200);

  /** One reconciliation, as the command performs it. */
  public interface Reconciler {
    Attempt reconcile(Set<String> pausedHosts) throws InterruptedException;
  }

  /**
   * What a reconciliation produced: a report, or the error that prevented the run (invalid spec, lock held); the
   * spec's digest and files (to watch them).
   */
  public record Attempt(Optional<RunReport> report, Optional<String> error, String specDigest, List<Path> sources) {}

  private final Reconciler reconciler;
  private final Duration interval;
  private final WatchStatus status;
  private final HostBackoff backoff;
  private volatile boolean stopping;
  private volatile Thread thread;

  public WatchLoop(Reconciler reconciler, Duration interval, WatchStatus status) {
    this.reconciler = reconciler;
    this.interval = interval;
    this.status = status;
    this.backoff = new HostBackoff(interval, interval.multipliedBy(16), Instant::now);
  }

  /** Runs until {@link #stop()}; returns normally then. {@code spec} is the root spec file, watched from the start. */
  public void run(Path spec) throws IOException {
    thread = Thread.currentThread();
    if (stopping) {
      return;
    }
    try (WatchService files = FileSystems.getDefault().newWatchService()) {
      Set<Path> watchedDirs = new HashSet<>();
      watch(files, watchedDirs, List.of(spec));
      while (!stopping) {
        Attempt attempt;
        try {
          attempt = reconciler.reconcile(backoff.paused());
        } catch (InterruptedException e) {
          break;
        }
        // watch newly included files before anyone can see this run's status and edit them
        watch(files, watchedDirs, attempt.sources());
        attempt.report().ifPresent(r -> backoff.record(failedHosts(r), okHosts(r)));
        status.record(attempt.report(), attempt.error(), attempt.specDigest(), backoff.pausedUntil());
        attempt.error().ifPresent(e -> LOG.warn("run failed: {}", e));
        if (!awaitNext(files, attempt.sources().isEmpty() ? List.of(spec) : attempt.sources())) {
          break;
        }
      }
    } finally {
      thread = null;
    }
  }

  private static void watch(WatchService files, Set<Path> watchedDirs, List<Path> sources) throws IOException {
    for (Path source : sources) {
      Path dir = source.toAbsolutePath().normalize().getParent();
      if (watchedDirs.add(dir)) {
        dir.register(files, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
      }
    }
  }

  /** Waits for the next tick or a change to one of {@code sources}; false if stopping. */
  private boolean awaitNext(WatchService files, List<Path> sources) {
    Set<Path> names = new HashSet<>();
    sources.forEach(s -> names.add(s.toAbsolutePath().normalize()));
    long jitter = (long) (interval.toMillis() * 0.1 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(interval.toMillis() + jitter);
    try {
      while (!stopping) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        WatchKey key = files.poll(left, TimeUnit.NANOSECONDS);
        if (key == null) {
          return true;
        }
        boolean specChanged = false;
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> e : key.pollEvents()) {
          if (e.context() instanceof Path p && names.contains(dir.resolve(p).toAbsolutePath().normalize())) {
            specChanged = true;
          }
        }
        key.reset();
        if (specChanged) {
          LOG.info("spec changed; converging now");
          drain(files);
          return true;
        }
      }
    } catch (InterruptedException e) {
      return false;
    }
    return false;
  }

  /** Editors write a file in several steps: wait until the events stop for a moment. */
  private static void drain(WatchService files) throws InterruptedException {
    WatchKey more;
    while ((more = files.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
      more.pollEvents();
      more.reset();
    }
  }

  /** Asks the loop to finish the run in progress and return. */
  public void stop() {
    stopping = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  private static Set<String> failedHosts(RunReport r) {
    Set<String> failed = new HashSet<>();
    r.probeFailures().forEach(f -> failed.add(f.target()));
    for (ActionResult a : r.actions()) {
      if (a.outcome().status() == dev.converge.execute.Outcome.Status.FAILED) {
        failed.add(a.change().id().target());
      }
    }
    return failed;
  }

  private static Set<String> okHosts(RunReport r) {
    Set<String> ok = new HashSet<>();
    r.probes().forEach(p -> ok.add(p.target()));
    return ok;
  }
}

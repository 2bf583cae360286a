package dev.converge.freebsd.jail;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.freebsd.ProbeOutput;
import dev.converge.freebsd.Remote;
import dev.converge.resource.Properties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One move of a jail from host A to host B: stop on A, stream its data A→B (a {@code zfs send} of a snapshot of its
 * clone into {@code zfs receive -u} when both hosts keep jails in ZFS, else a tar stream of its root), configure and
 * start it on B, wait until it answers there, then remove it from A. On any failure before that last step, B is
 * cleaned and the jail started again on A.
 */
final class JailMove {

  private static final Duration DATA_TIMEOUT = Duration.ofHours(6);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int PIPE_BUFFER = 1 << 20;

  private final JailDriver driver;
  private final Target from;
  private final Target to;
  private final JailSettings jail;
  private final Properties desired;
  private final Clock clock;
  private final Duration readyTimeout;
  private final String what;

  JailMove(JailDriver driver, Target from, Target to, JailSettings jail, Properties desired, Clock clock,
      Duration readyTimeout) {
    this.driver = driver;
    this.from = from;
    this.to = to;
    this.jail = jail;
    this.desired = desired;
    this.clock = clock;
    this.readyTimeout = readyTimeout;
    this.what = "jail `" + jail.name() + "`";
  }

  void run() throws ActionException {
    Remote a = Remote.forAction(from, what);
    Remote b = Remote.forAction(to, what);
    JailRecord onA = JailDriver.readRecord(a, jail.name(), what).orElseThrow(() -> new ActionException(what + " on "
        + a.host() + ": no " + jail.record() + ", so converge did not make it there and will not move it"));
    b.run(ProbeOutput.script(JailDriver.FOREIGN_SCRIPT, List.of(JailConf.confPath(jail.name()), jail.record())), what);
    JailStorage onB = driver.storage(b, what);
    JailDriver.stop(a, jail.name(), what);
    String snapshot = "move-" + clock.instant().getEpochSecond();
    try {
      JailRecord record = transfer(a, b, onA, onB, snapshot);
      b.write(jail.record(), record.toJson(), FileAttributes.mode(0600), what);
      JailDriver.configureAndStart(b, jail, what);
      awaitReady(b);
    } catch (ActionException e) {
      throw rollback(a, b, onA, onB, snapshot, e);
    }
    if (onA.dataset().isPresent()) {
      a.run(Command.of("zfs", "destroy", onA.dataset().get() + "@" + snapshot), what);
    }
    JailDriver.remove(a, jail.name(), onA, false, what);
    if (onB instanceof JailStorage.Zfs zfs && onA.dataset().isPresent()) {
      b.run(Command.of("zfs", "destroy", zfs.dataset(jail.name()) + "@" + snapshot), what);
    }
  }

  /** Copies the jail's data to B; the record B's copy gets. */
  private JailRecord transfer(Remote a, Remote b, JailRecord onA, JailStorage onB, String snapshot)
      throws ActionException {
    b.run(Command.of("mkdir", "-p", "-m", "0700", jail.directory()), what);
    Optional<String> datasetB = Optional.empty();
    if (onB instanceof JailStorage.Zfs zfs) {
      datasetB = Optional.of(zfs.dataset(jail.name()));
      b.run(zfs.createParent(), what);
    }
    if (onA.dataset().isPresent() && datasetB.isPresent()) {
      String snap = onA.dataset().get() + "@" + snapshot;
      a.run(Command.of("zfs", "snapshot", snap), what);
      pipe(a, Command.of("zfs", "send", snap), b, Command.of("zfs", "receive", "-u", "-o",
          "mountpoint=" + jail.root(), datasetB.get()));
      b.run(Command.of("zfs", "mount", datasetB.get()), what);
    } else {
      if (datasetB.isPresent()) {
        b.run(Command.of("zfs", "create", "-o", "mountpoint=" + jail.root(), datasetB.get()), what);
      } else {
        b.run(Command.of("mkdir", "-p", jail.root()), what);
      }
      pipe(a, Command.of("tar", "-cf", "-", "-C", jail.root(), "."), b,
          Command.of("tar", "-xpf", "-", "-C", jail.root()));
    }
    return new JailRecord(onA.imageDir(), datasetB, desired.with(JailDriver.RUNNING, true));
  }

  /**
   * Runs {@code send} on A with its output flowing into {@code receive} on B, both at once. When B stops reading,
   * closing the pipe fails A's writes, so neither side waits for the other forever.
   */
  private void pipe(Remote a, Command send, Remote b, Command receive) throws ActionException {
    PipedInputStream in = new PipedInputStream(PIPE_BUFFER);
    PipedOutputStream out;
    try {
      out = new PipedOutputStream(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<ExecResult> sending = CompletableFuture.supplyAsync(() -> {
      try (OutputStream o = out) {
        return a.transport().stream(send.withTimeout(DATA_TIMEOUT), InputStream.nullInputStream(), o);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, runnable -> {
      Thread t = new Thread(runnable, "jail-move-send-" + jail.name());
      t.setDaemon(true);
      t.start();
    });
    ExecResult received;
    try {
      received = b.transport().stream(receive.withTimeout(DATA_TIMEOUT), in, OutputStream.nullOutputStream());
    } catch (TransportException e) {
      throw new ActionException("cannot move " + what + " to " + b.host() + ": " + e.getMessage(), e);
    } finally {
      closeQuietly(in);
    }
    ExecResult sent;
    try {
      sent = sending.get(DATA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new ActionException("cannot move " + what + " from " + a.host() + ": " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new ActionException("cannot move " + what + " from " + a.host() + ": " + send.argv().get(0)
          + " did not end", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActionException("interrupted while moving " + what, e);
    }
    if (!sent.ok()) {
      throw new ActionException("cannot move " + what + " from " + a.host() + ": " + String.join(" ",
          send.argv().subList(0, 2)) + " failed (exit " + sent.exitCode() + ")" + Remote.detail(sent));
    }
    if (!received.ok()) {
      throw new ActionException("cannot move " + what + " to " + b.host() + ": " + String.join(" ",
          receive.argv().subList(0, 2)) + " failed (exit " + received.exitCode() + ")" + Remote.detail(received));
    }
  }

  /** A command of the rollback: its failure (even an unreachable host) is reported, never thrown. */
  private ExecResult attempt(Remote r, Command c) {
    try {
      return r.exec(c, what);
    } catch (ActionException e) {
      return new ExecResult(-1, new byte[0], e.getMessage().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // A pipe's close cannot fail in a way that matters: the sender sees the closed pipe either way.
    }
  }

  private void awaitReady(Remote b) throws ActionException {
    Instant deadline = clock.instant().plus(readyTimeout);
    while (true) {
      ExecResult r = b.exec(JailDriver.readyCommand(jail), what);
      if (r.ok()) {
        return;
      }
      if (!clock.instant().isBefore(deadline)) {
        throw new ActionException(what + " on " + b.host() + " is not ready after " + readyTimeout.toSeconds()
            + " s: " + r.out().strip());
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ActionException("interrupted while waiting for " + what + " on " + b.host(), e);
      }
    }
  }

  /** Cleans B and starts the jail on A again; the exception to throw says what failed and what was restored. */
  private ActionException rollback(Remote a, Remote b, JailRecord onA, JailStorage onB, String snapshot,
      ActionException cause) {
    List<String> problems = new ArrayList<>();
    attempt(b, Command.of("service", "jail", "stop", jail.name()));
    attempt(b, Command.of("rm", "-f", JailConf.confPath(jail.name()), JailConf.fstabPath(jail.name())));
    if (onB instanceof JailStorage.Zfs zfs) {
      attempt(b, Command.of("zfs", "destroy", "-r", zfs.dataset(jail.name())));
    }
    try {
      JailDriver.enableAtBoot(b, jail.name(), false, what);
    } catch (ActionException e) {
      problems.add(e.getMessage());
    }
    ExecResult cleaned = attempt(b, ProbeOutput.script(JailDriver.REMOVE_SCRIPT, List.of(jail.directory())));
    if (!cleaned.ok()) {
      problems.add("could not remove " + jail.directory() + " on " + b.host() + Remote.detail(cleaned));
    }
    onA.dataset().ifPresent(ds -> attempt(a, Command.of("zfs", "destroy", ds + "@" + snapshot)));
    ExecResult restarted = attempt(a, Command.of("service", "jail", "start", jail.name()));
    String state = restarted.ok() ? "it runs on " + a.host() + " again"
        : "starting it again on " + a.host() + " failed too" + Remote.detail(restarted);
    return new ActionException("cannot move " + what + " from " + a.host() + " to " + b.host() + ": "
        + cause.getMessage() + "; " + state + (problems.isEmpty() ? "" : "; " + String.join("; ", problems)), cause);
  }
}

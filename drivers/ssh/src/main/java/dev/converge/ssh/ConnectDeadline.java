package dev.converge.ssh;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds a whole connection attempt (TCP, version exchange, key exchange, authentication) by closing what it
 * reads from when time is up. sshj bounds the TCP connect and key exchange, but reads the server's version line
 * without any timeout: a server that accepts the connection and says nothing (hung, frozen, a tarpit) would block
 * forever.
 */
final class ConnectDeadline implements AutoCloseable {

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ssh-connect-deadline"));

  private final List<Closeable> toAbort = new CopyOnWriteArrayList<>();
  private final AtomicBoolean expired = new AtomicBoolean();
  private final ScheduledFuture<?> timer;

  ConnectDeadline(Duration timeout) {
    this.timer = TIMER.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Closes {@code resource} when the deadline passes (at once if it already has). */
  void abortWith(Closeable resource) {
    toAbort.add(resource);
    if (expired.get()) {
      closeQuietly(resource);
    }
  }

  /** Whether time ran out, in which case a failure of the attempt is this deadline's doing. */
  boolean expired() {
    return expired.get();
  }

  private void expire() {
    expired.set(true);
    toAbort.forEach(ConnectDeadline::closeQuietly);
  }

  /** The attempt is over, either way. */
  @Override
  public void close() {
    timer.cancel(false);
  }

  private static void closeQuietly(Closeable resource) {
    try {
      resource.close();
    } catch (IOException e) {
      // the attempt fails either way, with the deadline named as the reason
    }
  }
}

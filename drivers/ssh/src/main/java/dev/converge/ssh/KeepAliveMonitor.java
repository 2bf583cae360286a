package dev.converge.ssh;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;

/**
 * Detects a dead peer on one SSH connection: sends {@code keepalive@openssh.com} (a global request every OpenSSH
 * server answers, with a failure, which is enough) every interval, and reports the connection dead once
 * {@code maxMisses} consecutive checks found the latest request unanswered.
 *
 * <p>Written instead of sshj's {@code KeepAliveRunner} because that one counts whole seconds, names no host and
 * kills the transport without telling its owner why. Checking and sending run on separate threads: a send can block
 * behind a full TCP window (exactly when the peer is dead), and the check must still fire.
 */
final class KeepAliveMonitor implements AutoCloseable {

  private static final String REQUEST = "keepalive@openssh.com";

  private final Connection connection;
  private final Duration interval;
  private final int maxMisses;
  private final Consumer<Duration> onDead;
  private final ScheduledExecutorService checker;
  private final ExecutorService sender;
  private final AtomicBoolean sending = new AtomicBoolean();
  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile Promise<SSHPacket, ConnectionException> latest;
  private int misses;

  /**
   * @param onDead called once, with how long the peer has been silent, when it is declared dead
   */
  KeepAliveMonitor(Connection connection, Duration interval, int maxMisses, String name, Consumer<Duration> onDead) {
    this.connection = connection;
    this.interval = interval;
    this.maxMisses = Math.max(1, maxMisses);
    this.onDead = onDead;
    this.checker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(name + "-keepalive"));
    this.sender = Executors.newSingleThreadExecutor(DaemonThreads.named(name + "-keepalive-send"));
  }

  /** Starts probing; a zero or negative interval disables the monitor. */
  void start() {
    if (interval.isZero() || interval.isNegative()) {
      return;
    }
    long nanos = interval.toNanos();
    checker.scheduleAtFixedRate(this::check, nanos, nanos, TimeUnit.NANOSECONDS);
    send();
  }

  private Duration deadAfter() {
    return interval.multipliedBy(maxMisses);
  }

  private void check() {
    Promise<SSHPacket, ConnectionException> request = latest;
    boolean answered = request != null && request.isFulfilled();
    if (answered) {
      misses = 0;
    } else {
      misses++;
    }
    if (misses >= maxMisses) {
      if (reported.compareAndSet(false, true)) {
        checker.shutdown();
        onDead.accept(deadAfter());
      }
      return;
    }
    if (answered) {
      send();
    }
  }

  private void send() {
    if (!sending.compareAndSet(false, true)) {
      return;
    }
    sender.execute(() -> {
      try {
        latest = connection.sendGlobalRequest(REQUEST, true, new byte[0]);
      } catch (IOException e) {
        // the transport is already failing: its own error reaches the owner, and the next checks count misses
      } finally {
        sending.set(false);
      }
    });
  }

  @Override
  public void close() {
    checker.shutdownNow();
    sender.shutdownNow();
  }
}

package dev.converge.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM stop a run cleanly: the hook asks the work to stop (no new actions start; running ones finish,
 * since every action is idempotent but a half-written state is not), then waits for the command to finish recording
 * state before the JVM exits.
 */
final class GracefulStop implements AutoCloseable {

  private static final long GRACE_SECONDS = 60;

  private final Thread hook;
  private final CountDownLatch finished = new CountDownLatch(1);

  private GracefulStop(Runnable stop) {
    hook = new Thread(() -> {
      stop.run();
      try {
        finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "converge-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Calls {@code stop} on SIGINT/SIGTERM and holds the JVM until {@link #close()}. */
  static GracefulStop onSignal(Runnable stop) {
    return new GracefulStop(stop);
  }

  /** Interrupts the calling thread on SIGINT/SIGTERM (the engine stops dispatching and returns). */
  static GracefulStop interruptingCurrentThread() {
    Thread worker = Thread.currentThread();
    return new GracefulStop(worker::interrupt);
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running and now sees `finished`
    }
  }
}

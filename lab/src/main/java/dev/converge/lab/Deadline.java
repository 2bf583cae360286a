package dev.converge.lab;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A time limit for polling the machine (a process gone, a port answering), with a short pause between polls. */
final class Deadline {

  private static final long PAUSE_MILLIS = 10;

  private final long endNanos;
  private final Duration length;

  private Deadline(Duration length) {
    this.length = length;
    this.endNanos = System.nanoTime() + length.toNanos();
  }

  static Deadline in(Duration length) {
    return new Deadline(length);
  }

  boolean passed() {
    return System.nanoTime() - endNanos > 0;
  }

  Duration length() {
    return length;
  }

  void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while waiting for the lab", e);
    }
  }
}

package dev.converge.ssh;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads that never keep the JVM alive, named after the host they serve so that thread dumps read well. */
final class DaemonThreads {

  private DaemonThreads() {}

  /** A factory of daemon threads called {@code name-1}, {@code name-2}, ... */
  static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

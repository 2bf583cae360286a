package dev.converge.linux;

import dev.converge.driver.ActionException;
import dev.converge.driver.Target;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One apt or dpkg run at a time per host. The engine applies a host's actions in parallel, and apt-get takes dpkg's
 * locks: a second run would wait on them (with {@link #LOCK_TIMEOUT}) or, with an older apt, fail at once. Waiting
 * here instead keeps both drivers' runs in order and the lock timeout for runs converge did not start.
 */
final class AptQueue {

  /** apt's own wait for the dpkg lock, held by something other than converge (unattended-upgrades, a person). */
  static final String LOCK_TIMEOUT = "DPkg::Lock::Timeout=300";

  private static final ConcurrentMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private AptQueue() {}

  /** What apt or dpkg does on a host, run only while no other such work runs there. */
  @FunctionalInterface
  interface Work {
    void run() throws ActionException;
  }

  static void serially(Target target, Work work) throws ActionException {
    ReentrantLock lock = LOCKS.computeIfAbsent(target.name(), n -> new ReentrantLock(true));
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }
}

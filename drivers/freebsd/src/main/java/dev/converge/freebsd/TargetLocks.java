package dev.converge.freebsd;

import dev.converge.driver.Target;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per target, for actions that must not overlap on a host although the engine runs a host's actions in
 * parallel: a read-modify-write of a shared file, or pkg, which holds its database exclusively.
 */
public final class TargetLocks {

  /** Shared by every pkg action (install, delete, repository update) of this module. */
  public static final TargetLocks PKG = new TargetLocks();

  /** Shared by every sysrc write of this module: rc.conf is one file per host. */
  public static final TargetLocks RC_CONF = new TargetLocks();

  private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public ReentrantLock of(Target target) {
    return locks.computeIfAbsent(target.name(), n -> new ReentrantLock());
  }
}

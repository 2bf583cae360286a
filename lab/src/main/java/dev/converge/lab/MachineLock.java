package dev.converge.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lab changes the machine at a time: {@code up} and {@code down} hold this lock (an flock on
 * {@value #PATH}, released by the kernel when the process dies), so two labs never pick the same subnet or interface
 * names. The lock file stays, like every file in /run/lock; it holds nothing. Within one JVM the holders queue on a
 * plain lock first (the JVM refuses a second flock of one file). Not reentrant: take it once per operation.
 *
 * <p>{@link #acquire(Path)} locks another file the same way, for what else the lab shares between runs on this
 * machine (its Debian mirrors).
 */
final class MachineLock implements AutoCloseable {

  static final String PATH = "/run/lock/converge-lab.lock";

  private static final Map<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path file;
  private final ReentrantLock local;
  private final FileChannel channel;
  private final FileLock lock;

  private MachineLock(Path file, ReentrantLock local, FileChannel channel, FileLock lock) {
    this.file = file;
    this.local = local;
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits for the lab's lock, {@value #PATH}. */
  static MachineLock acquire() {
    return acquire(Path.of(PATH));
  }

  /** Waits for an flock on {@code file} (made, with its directory, if missing). */
  static MachineLock acquire(Path file) {
    Path key = file.toAbsolutePath().normalize();
    ReentrantLock local = IN_THIS_JVM.computeIfAbsent(key, k -> new ReentrantLock(true));
    local.lock();
    try {
      Files.createDirectories(key.getParent());
      FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new MachineLock(key, local, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      local.unlock();
      throw new LabException("cannot lock " + key + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      local.unlock();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new LabException("cannot unlock " + file + ": " + e.getMessage(), e);
    } finally {
      local.unlock();
    }
  }
}

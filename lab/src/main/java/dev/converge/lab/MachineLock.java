package dev.converge.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lab changes the machine at a time: {@code up} and {@code down} hold this lock (an flock on
 * {@value #PATH}, released by the kernel when the process dies), so two labs never pick the same subnet or interface
 * names. The lock file stays, like every file in /run/lock; it holds nothing. Within one JVM the holders queue on a
 * plain lock first (the JVM refuses a second flock of one file). Not reentrant: take it once per operation.
 */
final class MachineLock implements AutoCloseable {

  static final String PATH = "/run/lock/converge-lab.lock";

  private static final ReentrantLock IN_THIS_JVM = new ReentrantLock(true);

  private final FileChannel channel;
  private final FileLock lock;

  private MachineLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits for the lock. */
  static MachineLock acquire() {
    Path file = Path.of(PATH);
    IN_THIS_JVM.lock();
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new MachineLock(channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      IN_THIS_JVM.unlock();
      throw new LabException("cannot lock " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      IN_THIS_JVM.unlock();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new LabException("cannot unlock " + PATH + ": " + e.getMessage(), e);
    } finally {
      IN_THIS_JVM.unlock();
    }
  }
}

package dev.converge.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exclusive lock on a state directory: an OS file lock on {@code lock}, which the kernel drops when the
 * process dies however it dies, so a crash never leaves a stale lock. The holder writes who it is into the file.
 *
 * <p>Within one JVM a semaphore per directory comes first, and only its owner ever opens the lock file. That is
 * not only about {@link OverlappingFileLockException}: the lock is a POSIX record lock, and closing <em>any</em>
 * descriptor of the file drops every lock the process holds on it, so a second thread that merely opened, read
 * and closed the lock file would silently unlock the first one's run for every other process.
 */
final class DirectoryLock implements AutoCloseable {

  static final String FILE = "lock";

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final int MAX_HOLDER_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory GENERATORS = JSON.getFactory();
  private static final ConcurrentMap<Path, Slot> SLOTS = new ConcurrentHashMap<>();

  /** This JVM's claim on one directory, and who is known to hold (or, while we wait, to block) it. */
  private static final class Slot {
    final Semaphore permit = new Semaphore(1, true);
    volatile Optional<LockHolder> holder = Optional.empty();
  }

  private final Slot slot;
  private final FileChannel channel;
  private final FileLock lock;
  private final Path file;
  private boolean released;

  private DirectoryLock(Slot slot, FileChannel channel, FileLock lock, Path file) {
    this.slot = slot;
    this.channel = channel;
    this.lock = lock;
    this.file = file;
  }

  /**
   * Takes the lock on {@code directory} (which must exist), waiting up to the request's timeout with backoff, then
   * records this process as the holder.
   */
  static DirectoryLock acquire(Path directory, LockRequest request) throws StateException, StateLockedException {
    Path key;
    try {
      key = directory.toRealPath();
    } catch (IOException e) {
      throw new StateException("cannot lock state " + directory + ": " + e.getMessage(), e);
    }
    Slot slot = SLOTS.computeIfAbsent(key, k -> new Slot());
    long timeout = saturatedNanos(request.timeout());
    long start = System.nanoTime();
    try {
      if (!slot.permit.tryAcquire(timeout, TimeUnit.NANOSECONDS)) {
        throw new StateLockedException(directory, slot.holder, request.timeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(directory);
    }
    Path file = directory.resolve(FILE);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FileStateStore.FILE_MODE));
      for (long backoff = FIRST_BACKOFF_NANOS; ; backoff = Math.min(2 * backoff, MAX_BACKOFF_NANOS)) {
        FileLock lock = tryLock(channel);
        if (lock != null) {
          LockHolder me = LockHolder.currentProcess(request.command(), Instant.now());
          record(channel, me);
          slot.holder = Optional.of(me);
          LOG.debug("locked state {}", directory);
          return new DirectoryLock(slot, channel, lock, file);
        }
        slot.holder = readHolder(channel);
        long remaining = timeout - (System.nanoTime() - start);
        if (remaining <= 0) {
          throw new StateLockedException(directory, slot.holder, request.timeout());
        }
        LockSupport.parkNanos(Math.min(backoff, remaining));
        if (Thread.currentThread().isInterrupted()) {
          throw interrupted(directory);
        }
      }
    } catch (IOException e) {
      giveUp(slot, channel);
      throw new StateException("cannot lock " + file + ": " + e.getMessage(), e);
    } catch (StateException | StateLockedException | RuntimeException e) {
      giveUp(slot, channel);
      throw e;
    }
  }

  /** Clears the holder record and releases the lock; idempotent. */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      channel.truncate(0);
    } catch (IOException e) {
      LOG.warn("cannot clear the holder record in {}: {}", file, e.getMessage());
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      LOG.warn("cannot close {} (the lock goes when this process exits): {}", file, e.getMessage());
    } finally {
      slot.holder = Optional.empty();
      slot.permit.release();
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // something else in this JVM locked the file without going through this class: it is held all the same
      return null;
    }
  }

  private static void record(FileChannel channel, LockHolder holder) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = GENERATORS.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("pid", holder.pid());
      g.writeStringField("host", holder.host());
      g.writeStringField("since", holder.since().toString());
      g.writeStringField("command", holder.command());
      g.writeEndObject();
    }
    out.write('\n');
    channel.truncate(0);
    ByteBuffer buffer = ByteBuffer.wrap(out.toByteArray());
    for (long position = 0; buffer.hasRemaining(); ) {
      position += channel.write(buffer, position);
    }
  }

  /** Reads the holder record through our own channel: opening the file again would be unsafe (see class doc). */
  private static Optional<LockHolder> readHolder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), MAX_HOLDER_BYTES));
      for (long position = 0; buffer.hasRemaining(); ) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
      if (buffer.position() == 0) {
        return Optional.empty();
      }
      JsonNode node = JSON.readTree(buffer.array(), 0, buffer.position());
      return Optional.of(new LockHolder(node.required("pid").asLong(), node.required("host").asText(),
          Instant.parse(node.required("since").asText()), node.required("command").asText()));
    } catch (IOException | RuntimeException e) {
      // the holder is between taking the lock and recording itself, or the record is damaged: holder unknown
      return Optional.empty();
    }
  }

  private static void giveUp(Slot slot, FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("cannot close lock file", e);
      }
    }
    slot.permit.release();
  }

  private static StateException interrupted(Path directory) {
    return new StateException("interrupted while waiting for the lock on state " + directory);
  }

  private static long saturatedNanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) > 0 ? Long.MAX_VALUE / 2 : d.toNanos();
  }
}

package dev.converge.state;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} in a directory (by default {@code .converge/} beside the spec): {@code state.json},
 * {@code lock}, {@code journal.jsonl} and {@code plan.key}. The directory is created 0700 and every file 0600.
 *
 * <p>A write goes to a temporary file in the same directory, is fsynced, renamed over {@code state.json}, and the
 * directory is fsynced, so a crash leaves either the old or the new state, never a mix. Temporary files left by a
 * crash are removed by the next {@link #open}.
 */
public final class FileStateStore implements StateStore {

  static final String STATE_FILE = "state.json";
  static final String PLAN_KEY_FILE = "plan.key";
  static final int PLAN_KEY_BYTES = 32;
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

  private static final Logger LOG = LoggerFactory.getLogger(FileStateStore.class);
  private static final String TEMP_SUFFIX = ".tmp";
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private final Path directory;
  private final String site;
  private final DirectoryLock lock;
  private final JsonlJournal journal;
  private final StateCodec codec;
  private State current;
  private boolean stored;
  private byte[] planKey;
  private boolean closed;

  private FileStateStore(Path directory, String site, DirectoryLock lock, JsonlJournal journal, StateCodec codec,
      State current, boolean stored) {
    this.directory = directory;
    this.site = site;
    this.lock = lock;
    this.journal = journal;
    this.codec = codec;
    this.current = current;
    this.stored = stored;
  }

  /**
   * Opens the state directory {@code dir} for {@code site}, creating it (0700) if needed, and takes its lock,
   * waiting as {@code request} says.
   *
   * @throws StateLockedException if another run still holds the lock when the timeout has passed
   * @throws StateException if the directory cannot be used, or its {@code state.json} is corrupt, of an unknown
   *     format, or was written for another site
   */
  public static StateStore open(Path dir, String site, LockRequest request)
      throws StateException, StateLockedException {
    return open(dir, site, request, new StateCodec());
  }

  static FileStateStore open(Path dir, String site, LockRequest request, StateCodec codec)
      throws StateException, StateLockedException {
    Objects.requireNonNull(request, "request");
    if (site == null || site.isBlank()) {
      throw new IllegalArgumentException("site must not be blank");
    }
    Path directory = dir.toAbsolutePath().normalize();
    createDirectory(directory);
    DirectoryLock lock = DirectoryLock.acquire(directory, request);
    try {
      removeAbandonedTemporaryFiles(directory);
      Path file = directory.resolve(STATE_FILE);
      boolean stored = Files.exists(file);
      State current = stored ? codec.read(file) : State.unwritten(site);
      if (!current.site().equals(site)) {
        throw new StateException(file + " holds the state of site `" + current.site() + "`, not of `" + site
            + "`: is this the state directory of another spec?");
      }
      JsonlJournal journal = JsonlJournal.open(directory, JsonlJournal.MAX_BYTES);
      return new FileStateStore(directory, site, lock, journal, codec, current, stored);
    } catch (StateException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * Reads the state in {@code dir} without taking the lock, for commands that only look (validate, graph,
   * status). A run in progress may replace it at any moment; what this returns was true when it was read.
   *
   * @return empty if there is no state yet
   */
  public static Optional<State> peek(Path dir) throws StateException {
    Path file = dir.toAbsolutePath().normalize().resolve(STATE_FILE);
    return Files.exists(file) ? Optional.of(new StateCodec().read(file)) : Optional.empty();
  }

  /** The events of the journal in {@code dir} since its last rotation, read without taking the lock. */
  public static List<JournalEvent> peekJournal(Path dir) throws StateException {
    return JsonlJournal.readFile(dir.toAbsolutePath().normalize().resolve(JsonlJournal.FILE));
  }

  @Override
  public synchronized State read() {
    ensureOpen();
    return current;
  }

  @Override
  public synchronized void write(State next) throws StateException {
    ensureOpen();
    Path file = directory.resolve(STATE_FILE);
    if (!next.site().equals(site)) {
      throw new StateException("refusing to write the state of site `" + next.site() + "` to " + file
          + ", which belongs to site `" + site + "`");
    }
    if (next.lineage().equals(State.UNWRITTEN)) {
      // derived from the snapshot read before the first write: it belongs to this store's history
      String lineage = stored ? current.lineage() : UUID.randomUUID().toString();
      next = new State(lineage, next.serial(), next.site(), next.resources(), next.allocations());
    }
    if (stored && !next.lineage().equals(current.lineage())) {
      throw new StateException("refusing to write state of lineage " + next.lineage() + " to " + file
          + ", which holds lineage " + current.lineage() + ": that state comes from another history");
    }
    State numbered = next.withSerial(current.serial() + 1);
    replaceAtomically(file, out -> codec.write(numbered, out));
    current = numbered;
    stored = true;
  }

  @Override
  public synchronized State update(UnaryOperator<State> change) throws StateException {
    ensureOpen();
    write(change.apply(current));
    return current;
  }

  @Override
  public Journal journal() {
    return journal;
  }

  @Override
  public synchronized byte[] planKey() throws StateException {
    ensureOpen();
    if (planKey == null) {
      Path file = directory.resolve(PLAN_KEY_FILE);
      planKey = Files.exists(file) ? readPlanKey(file) : createPlanKey(file);
    }
    return planKey.clone();
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    journal.close();
    lock.close();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("state store " + directory + " is closed");
    }
  }

  private byte[] createPlanKey(Path file) throws StateException {
    byte[] key = new byte[PLAN_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    replaceAtomically(file, out -> out.write(key));
    return key;
  }

  private static byte[] readPlanKey(Path file) throws StateException {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
        throw new StateException(file + " has mode " + PosixFilePermissions.toString(mode)
            + ", expected rw------- (0600): the plan key must be private; chmod 600 it");
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length != PLAN_KEY_BYTES) {
        throw new StateException(file + " holds " + key.length + " bytes, expected " + PLAN_KEY_BYTES);
      }
      return key;
    } catch (IOException e) {
      throw new StateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** What to put in a file being replaced. */
  @FunctionalInterface
  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Temp file beside the target, fsync, rename over the target, fsync the directory. */
  private void replaceAtomically(Path file, Content content) throws StateException {
    Path temp = directory.resolve("." + file.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    boolean renamed = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FILE_MODE))) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        content.writeTo(out);
        out.flush();
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
      syncDirectory(directory);
    } catch (IOException e) {
      throw new StateException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (!renamed) {
        deleteQuietly(temp);
      }
    }
  }

  private static void createDirectory(Path directory) throws StateException {
    try {
      if (directory.getParent() != null) {
        Files.createDirectories(directory.getParent());
      }
      Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(directory)) {
        throw new StateException("state directory " + directory + " exists but is not a directory");
      }
    } catch (IOException e) {
      throw new StateException("cannot create state directory " + directory + ": " + e.getMessage(), e);
    }
  }

  /** A crash between creating a temporary file and renaming it leaves the file behind; the lock holder cleans up. */
  private static void removeAbandonedTemporaryFiles(Path directory) throws StateException {
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, ".*" + TEMP_SUFFIX)) {
      for (Path temp : temps) {
        LOG.info("removing {}, left by an interrupted write", temp);
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new StateException("cannot clean up state directory " + directory + ": " + e.getMessage(), e);
    }
  }

  private static void syncDirectory(Path directory) throws IOException {
    try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      LOG.warn("cannot remove temporary file {}: {}", temp, e.getMessage());
    }
  }
}

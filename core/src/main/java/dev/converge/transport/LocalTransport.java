package dev.converge.transport;

import com.google.common.net.InetAddresses;
import dev.converge.driver.Command;
import dev.converge.driver.CommandTimeoutException;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine converge runs on, as a {@link Transport}.
 *
 * <p>Commands run with {@link ProcessBuilder} straight from their argv (no shell in between). Standard input is
 * written and closed while standard output and error are drained concurrently, so a command that fills one pipe
 * never deadlocks. When a command outlives its timeout, it and its descendants are killed (SIGKILL) and a
 * {@link CommandTimeoutException} is thrown. As over SSH, a command that leaves a background child holding its
 * output open may be waited for until that child exits or the timeout fires: redirect such a child's output.
 *
 * <p>A program that cannot be started because it does not exist or is not executable yields exit status 127 or 126
 * with a message on stderr, as a shell (and so the SSH transport) would report it, so drivers see the same result
 * on every transport.
 *
 * <p>{@link #write} creates an owner-only temporary file in the target's directory, writes and syncs the content,
 * sets owner, group and mode, then renames it over the target in one atomic step: readers see the old file or the
 * new one, never a mix, and the content is never readable with looser permissions than asked. Paths must be
 * absolute. Thread-safe.
 */
public final class LocalTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(LocalTransport.class);

  /** How long to wait for a killed process to be reaped before giving up on it. */
  private static final Duration REAP_TIMEOUT = Duration.ofSeconds(5);

  /** OpenJDK's message for a program that could not be started: {@code ... error=2, No such file or directory}. */
  private static final Pattern START_ERROR = Pattern.compile("error=(\\d+),");

  private static final int ENOENT = 2;
  private static final int EACCES = 13;
  private static final int SPECIAL_MODE_BITS = 07000;

  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final ExecutorService pumps = Executors.newCachedThreadPool(new PumpThreads());
  private volatile boolean closed;

  @Override
  public ExecResult exec(Command command) throws TransportException {
    return run(command, process -> feed(process, command.stdin()), LocalTransport::drain);
  }

  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    return run(command, process -> pumps.submit(() -> {
      pipe(input, process);
      return null;
    }), stdout -> {
      try (stdout) {
        stdout.transferTo(output);
      }
      return new byte[0];
    });
  }

  /** Starts the process that sends stdin to a command. */
  private interface StdinPump {
    Future<?> start(Process process);
  }

  /** Reads a command's stdout: to the end, returning what it keeps. */
  private interface StdoutSink {
    byte[] take(InputStream stdout) throws IOException;
  }

  private ExecResult run(Command command, StdinPump stdinPump, StdoutSink stdoutSink) throws TransportException {
    ensureOpen();
    long deadline = System.nanoTime() + command.timeout().toNanos();
    Process process;
    try {
      process = new ProcessBuilder(command.argv()).start();
    } catch (IOException e) {
      return startFailure(command, e);
    }
    try {
      Future<?> stdin = stdinPump.start(process);
      Future<byte[]> stdout = pumps.submit(() -> stdoutSink.take(process.getInputStream()));
      Future<byte[]> stderr = pumps.submit(() -> drain(process.getErrorStream()));
      if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
        throw timedOut(command, process);
      }
      byte[] out = await(stdout, deadline, command, process);
      byte[] err = await(stderr, deadline, command, process);
      await(stdin, deadline, command, process);
      return new ExecResult(process.exitValue(), out, err);
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new TransportException("local: interrupted while running " + command);
    }
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    ensureOpen();
    Path file = absolute(path);
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new TransportException("local: cannot read " + path + ": " + reason(e), e);
    }
  }

  @Override
  public StreamConnection connect(String address, int port) throws TransportException {
    ensureOpen();
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(InetAddresses.forString(address), port), CONNECT_TIMEOUT_MILLIS);
      return new SocketConnection(socket);
    } catch (IOException | IllegalArgumentException e) {
      closeQuietly(socket);
      throw new TransportException("local: cannot connect to " + address + ":" + port + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    ensureOpen();
    Path target = absolute(path);
    Path directory = target.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new TransportException("local: cannot write " + path + ": directory " + directory + " does not exist");
    }
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new TransportException("local: cannot write " + path + ": it is a directory, expected a file");
    }
    Path temp = null;
    try {
      temp = Files.createTempFile(directory, tempPrefix(target), ".tmp",
          PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE)));
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      // Ownership first: chown clears the setuid and setgid bits, so the mode must come after it.
      applyOwnership(temp, attributes);
      applyMode(temp, attributes.mode());
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      syncDirectory(directory);
    } catch (UserPrincipalNotFoundException e) {
      throw new TransportException(
          "local: cannot write " + path + ": no user or group named `" + e.getName() + "` on this machine", e);
    } catch (IOException e) {
      throw new TransportException("local: cannot write " + path + ": " + reason(e), e);
    } finally {
      deleteQuietly(temp);
    }
  }

  @Override
  public String describe() {
    return "local";
  }

  @Override
  public void close() {
    closed = true;
    pumps.shutdownNow();
  }

  private void ensureOpen() throws TransportException {
    if (closed) {
      throw new TransportException("local: transport is closed");
    }
  }

  private static ExecResult startFailure(Command command, IOException e) throws TransportException {
    Matcher m = START_ERROR.matcher(String.valueOf(e.getMessage()));
    int errno = m.find() ? Integer.parseInt(m.group(1)) : -1;
    String program = command.argv().get(0);
    if (errno == ENOENT) {
      return failed(127, program + ": command not found");
    }
    if (errno == EACCES) {
      return failed(126, program + ": permission denied");
    }
    throw new TransportException("local: cannot start " + command + ": " + e.getMessage(), e);
  }

  private static ExecResult failed(int exitCode, String message) {
    return new ExecResult(exitCode, new byte[0], (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private Future<?> feed(Process process, byte[] input) {
    if (input.length == 0) {
      closeQuietly(process.getOutputStream());
      return CompletableFuture.completedFuture(null);
    }
    return pumps.submit(() -> {
      try (OutputStream in = process.getOutputStream()) {
        in.write(input);
      } catch (IOException e) {
        // The command exited or closed its stdin without reading everything: its exit status tells the story.
        log.debug("stdin of pid {} not fully consumed: {}", process.pid(), e.getMessage());
      }
      return null;
    });
  }

  /**
   * Copies {@code input} to the process's stdin, then closes it. The process may stop reading early (its exit
   * status tells why); a failure to read {@code input} fails the command, since its input was cut short.
   */
  private static void pipe(InputStream input, Process process) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    OutputStream stdin = process.getOutputStream();
    try {
      while (true) {
        int n;
        try {
          n = input.read(buffer);
        } catch (IOException e) {
          kill(process);
          throw e;
        }
        if (n < 0) {
          return;
        }
        try {
          stdin.write(buffer, 0, n);
        } catch (IOException e) {
          log.debug("stdin of pid {} closed early: {}", process.pid(), e.getMessage());
          return;
        }
      }
    } finally {
      closeQuietly(stdin);
    }
  }

  private static byte[] drain(InputStream stream) throws IOException {
    try (stream) {
      return stream.readAllBytes();
    }
  }

  private static <T> T await(Future<T> pump, long deadline, Command command, Process process)
      throws TransportException, InterruptedException {
    try {
      return pump.get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw timedOut(command, process);
    } catch (ExecutionException e) {
      kill(process);
      throw new TransportException("local: lost the output of " + command + ": " + reason(e.getCause()), e);
    }
  }

  private static CommandTimeoutException timedOut(Command command, Process process) {
    kill(process);
    return new CommandTimeoutException(
        "local: " + command + " did not finish within " + human(command.timeout()) + "; killed it");
  }

  /** Kills the process and everything it started; children first, so none escapes by being re-parented. */
  private static void kill(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    descendants.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    // An escaped grandchild may still hold the pipes: closing our ends frees the threads draining them.
    closeQuietly(process.getInputStream());
    closeQuietly(process.getErrorStream());
    try {
      if (!process.waitFor(REAP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("pid {} did not exit within {} of SIGKILL", process.pid(), human(REAP_TIMEOUT));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static Path absolute(String path) throws TransportException {
    Path p = Path.of(path);
    if (!p.isAbsolute()) {
      throw new TransportException("local: path `" + path + "` is not absolute (expected it to start with /)");
    }
    return p;
  }

  /** A recognisable, hidden name that stays well below NAME_MAX whatever the target's name. */
  private static String tempPrefix(Path target) {
    String name = target.getFileName().toString();
    return "." + (name.length() > 64 ? name.substring(0, 64) : name) + ".converge-";
  }

  private static void applyOwnership(Path file, FileAttributes attributes) throws IOException {
    if (attributes.owner().isEmpty() && attributes.group().isEmpty()) {
      return;
    }
    UserPrincipalLookupService names = file.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (attributes.owner().isPresent()) {
      UserPrincipal owner = names.lookupPrincipalByName(attributes.owner().get());
      view.setOwner(owner);
    }
    if (attributes.group().isPresent()) {
      GroupPrincipal group = names.lookupPrincipalByGroupName(attributes.group().get());
      view.setGroup(group);
    }
  }

  private void applyMode(Path file, int mode) throws IOException {
    if ((mode & SPECIAL_MODE_BITS) == 0) {
      Files.setPosixFilePermissions(file, permissions(mode));
      return;
    }
    // java.nio cannot express setuid, setgid or sticky: chmod(1) can.
    ExecResult r = exec(Command.of("chmod", "--", String.format("%04o", mode), file.toString()));
    if (!r.ok()) {
      throw new IOException("chmod " + String.format("%04o", mode) + " failed: " + r.err().strip());
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }

  /** Makes the rename itself durable; a file system that cannot sync a directory still has the new file. */
  private static void syncDirectory(Path directory) {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      log.debug("cannot sync directory {}: {}", directory, e.getMessage());
    }
  }

  private static void deleteQuietly(Path temp) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      log.warn("cannot remove temporary file {}: {}", temp, e.getMessage());
    }
  }

  private static void closeQuietly(Closeable stream) {
    try {
      stream.close();
    } catch (IOException e) {
      log.debug("closing a pipe failed: {}", e.getMessage());
    }
  }

  private static String reason(Throwable e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + " does not exist";
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** Daemon threads, so that a forgotten transport never keeps the JVM alive. */
  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      log.debug("closing a socket that failed to connect: {}", e.toString());
    }
  }

  private record SocketConnection(Socket socket) implements StreamConnection {
    @Override
    public InputStream input() {
      try {
        return socket.getInputStream();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public OutputStream output() {
      try {
        return socket.getOutputStream();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      closeQuietly(socket);
    }
  }

  private static final class PumpThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "converge-local-io-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}

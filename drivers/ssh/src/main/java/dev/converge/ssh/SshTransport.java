package dev.converge.ssh;

import dev.converge.driver.Command;
import dev.converge.driver.CommandTimeoutException;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.driver.TransportProvider;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.DirectConnection;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over one SSH connection (sshj), shared by every thread of a run.
 *
 * <ul>
 *   <li>Authentication by key only ({@link Endpoint#identity()}, OpenSSH ed25519 or RSA, unencrypted); host keys
 *       checked against {@link Endpoint#knownHosts()} with {@link Endpoint#hostKeyPolicy()} ({@link
 *       KnownHostsVerifier}).
 *   <li>A jump host ({@link Endpoint#via()}) is another {@code SshTransport} from the run's pool; the connection
 *       to this host is tunnelled through one of its channels.
 *   <li>Commands run in channels opened concurrently on the one connection, at most {@link
 *       Endpoint#maxSessions()} at once. Every argument is quoted ({@link Command#toShellLine()}); stdin is sent
 *       and closed while stdout and stderr are drained concurrently, so output of any size cannot deadlock.
 *   <li>A command that outlives its timeout has its remote process group sent SIGHUP (SIGKILL if it ignores
 *       that) and its channel closed; the caller gets a {@link CommandTimeoutException}.
 *   <li>A peer that stops answering keep-alives ({@link KeepAliveMonitor}) marks the transport lost: running and
 *       later calls fail at once with a {@link TransportException} saying so. There is no reconnect; a lost
 *       transport stays lost, and the engine decides whether to open a new one.
 *   <li>Files are read and replaced with constant shell scripts ({@link FileCommands}).
 * </ul>
 */
public final class SshTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(SshTransport.class);
  /**
   * Prefixed to every command line: prints the login shell's process id, which is also its process group (sshd
   * made it a session leader), then execs the command in its place. The first stdout line is read off before the
   * command's output; it is what {@link #abandon} signals when the command times out.
   */
  private static final String REPORT_PROCESS_GROUP = "echo $$; exec ";
  private static final Duration HANGUP_GRACE = Duration.ofSeconds(2);
  private static final int STREAM_CHUNK = 64 * 1024;
  /** Backoff while waiting for sshj window space or for the server to free a session. */
  private static final Duration PAUSE_MIN = Duration.ofMillis(1);
  private static final Duration PAUSE_MAX = Duration.ofMillis(50);
  /** POSIX fixes these numbers; a command killed by one reports 128 + n, as a shell would. */
  private static final Map<Signal, Integer> SIGNAL_NUMBERS = Map.ofEntries(Map.entry(Signal.HUP, 1),
      Map.entry(Signal.INT, 2), Map.entry(Signal.QUIT, 3), Map.entry(Signal.ILL, 4), Map.entry(Signal.ABRT, 6),
      Map.entry(Signal.FPE, 8), Map.entry(Signal.KILL, 9), Map.entry(Signal.SEGV, 11), Map.entry(Signal.PIPE, 13),
      Map.entry(Signal.ALRM, 14), Map.entry(Signal.TERM, 15));

  private final Endpoint endpoint;
  private final SSHClient client;
  private final Optional<Tunnel> tunnel;
  private final Semaphore sessions;
  private final ExecutorService io;
  private final KeepAliveMonitor keepAlive;
  private final AtomicReference<String> lost = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SshTransport(Endpoint endpoint, SSHClient client, Optional<Tunnel> tunnel) {
    this.endpoint = endpoint;
    this.client = client;
    this.tunnel = tunnel;
    this.sessions = new Semaphore(endpoint.maxSessions(), true);
    String name = "ssh-" + endpoint.host();
    this.io = Executors.newCachedThreadPool(DaemonThreads.named(name + "-io"));
    this.keepAlive = new KeepAliveMonitor(client.getConnection(), endpoint.keepAliveInterval(),
        endpoint.keepAliveCountMax(), name, this::peerSilent);
    client.getTransport().setDisconnectListener((reason, message) -> {
      if (!closed.get()) {
        markLost(message == null || message.isBlank() ? reason.toString() : message);
      }
    });
    keepAlive.start();
  }

  /**
   * Connects and authenticates to {@code endpoint}, through its jump host from {@code connector} if it has one.
   *
   * @throws TransportException naming the host and what went wrong: unreachable, host key unknown or changed
   *     (with fingerprints), identity unreadable, key refused, jump host refusing to forward
   */
  public static SshTransport connect(Endpoint endpoint, TransportProvider.Connector connector)
      throws TransportException {
    long started = System.nanoTime();
    DefaultConfig config = new DefaultConfig();
    config.setLoggerFactory(Tunnel.SSHJ_LOGGERS);
    SSHClient client = new SSHClient(config);
    int timeoutMillis = Math.toIntExact(endpoint.connectTimeout().toMillis());
    client.setConnectTimeout(timeoutMillis);
    client.getTransport().setTimeoutMs(timeoutMillis);
    client.getConnection().setTimeoutMs(timeoutMillis);
    KnownHostsVerifier verifier = knownHosts(endpoint);
    client.addHostKeyVerifier(verifier);
    KeyProvider identity = loadIdentity(client, endpoint);

    Optional<Tunnel> tunnel = Optional.empty();
    try (ConnectDeadline deadline = new ConnectDeadline(endpoint.connectTimeout())) {
      try {
        if (endpoint.via().isPresent()) {
          tunnel = Optional.of(openTunnel(endpoint, connector));
          deadline.abortWith(tunnel.get());
          client.connectVia(tunnel.get());
        } else {
          client.setSocketFactory(new NoDelaySocketFactory());
          deadline.abortWith(() -> closeQuietly(client.getSocket()));
          client.connect(endpoint.address(), endpoint.port());
        }
        authenticate(client, endpoint, identity);
        if (deadline.expired()) {
          throw new SocketTimeoutException();
        }
      } catch (IOException e) {
        closeQuietly(client);
        tunnel.ifPresent(SshTransport::closeQuietly);
        throw connectFailure(endpoint, verifier, deadline.expired(), e);
      }
    }
    SshTransport transport = new SshTransport(endpoint, client, tunnel);
    LOG.debug("connected {} in {} ms", transport.describe(), (System.nanoTime() - started) / 1_000_000);
    return transport;
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    return run(command, command.toString());
  }

  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    return run(command, command.toString(), running -> sendStream(running, input), stdout -> {
      stdout.transferTo(output);
      return new byte[0];
    });
  }

  /** Sends a command's stdin, then EOF. */
  private interface StdinSource {
    void send(Session.Command running) throws IOException;
  }

  /** Reads a command's stdout (after the process-group line) to the end, returning what it keeps. */
  private interface StdoutSink {
    byte[] take(InputStream stdout) throws IOException;
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    ExecResult r = run(FileCommands.read(path, endpoint.commandTimeout()), "read " + path);
    if (r.exitCode() == FileCommands.MISSING) {
      return Optional.empty();
    }
    if (!r.ok()) {
      throw new TransportException("cannot read " + path + " on " + describe() + ": " + stderrOrExit(r));
    }
    return Optional.of(r.stdout());
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    ExecResult r = run(FileCommands.write(path, content, attributes, endpoint.commandTimeout()), "write " + path);
    if (!r.ok()) {
      throw new TransportException("cannot write " + path + " on " + describe() + ": " + stderrOrExit(r));
    }
  }

  /** {@code ssh root@10.0.0.1:22}, with {@code via JUMP} when tunnelled. */
  @Override
  public String describe() {
    return endpoint.toString();
  }

  /** False once closed or lost (keep-alive unanswered, server gone): the engine's pool then connects anew. */
  @Override
  public boolean isOpen() {
    return !closed.get() && lost.get() == null && client.getTransport().isRunning();
  }

  /** Closes every session and the connection; running commands fail. The jump host's transport stays open. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    keepAlive.close();
    try {
      client.disconnect();
    } catch (IOException e) {
      LOG.debug("closing {}: {}", describe(), e.toString());
    }
    closeTunnel();
    io.shutdownNow();
  }

  @Override
  public String toString() {
    return describe();
  }

  /** A channel from this host to {@code address:port}, carrying another host's SSH connection. */
  @Override
  public StreamConnection connect(String address, int port) throws TransportException {
    ensureUsable();
    DirectConnection channel;
    try {
      channel = client.newDirectConnection(address, port);
    } catch (OpenFailException e) {
      throw new TransportException(endpoint.host() + " (" + describe() + ") refused to connect to " + address + ":"
          + port + ": " + e.getMessage() + " (is anything listening there, and does its sshd allow TCP forwarding?)",
          e);
    } catch (IOException e) {
      throw failure("connection to " + address + ":" + port, e);
    }
    return new StreamConnection() {
      @Override
      public InputStream input() {
        return channel.getInputStream();
      }

      @Override
      public OutputStream output() {
        return channel.getOutputStream();
      }

      @Override
      public void close() {
        try {
          channel.close();
        } catch (IOException e) {
          LOG.debug("closing the channel to {}:{} on {}: {}", address, port, endpoint.host(), e.toString());
        }
      }
    };
  }

  Tunnel tunnelTo(String address, int port, String forHost) throws TransportException {
    ensureUsable();
    try {
      return Tunnel.open(client.getConnection(), address, port);
    } catch (OpenFailException e) {
      throw new TransportException("jump host " + endpoint.host() + " (" + describe() + ") refused to forward to "
          + address + ":" + port + " for host " + forHost + ": " + e.getMessage()
          + " (does its sshd allow TCP forwarding?)", e);
    } catch (IOException e) {
      throw failure("tunnel to " + address + ":" + port + " for host " + forHost, e);
    }
  }

  private ExecResult run(Command command, String what) throws TransportException {
    byte[] input = command.stdin();
    return run(command, what, running -> {
      writeWithinWindow(running, input, input.length);
      sendEof(running);
    }, InputStream::readAllBytes);
  }

  private ExecResult run(Command command, String what, StdinSource stdin, StdoutSink stdout)
      throws TransportException {
    ensureUsable();
    long deadline = System.nanoTime() + command.timeout().toNanos();
    acquireSession(deadline, command.timeout(), what);
    Session session = null;
    try {
      session = openSession(deadline, what);
      Session.Command running = session.exec(REPORT_PROCESS_GROUP + command.toShellLine());
      return collect(running, command, deadline, what, stdin, stdout);
    } catch (TransportException e) {
      throw e;
    } catch (IOException | RejectedExecutionException e) {
      throw failure(what, e);
    } finally {
      if (session != null) {
        closeQuietly(session);
      }
      sessions.release();
    }
  }

  /**
   * Opens a session channel, retrying while the server refuses one. OpenSSH frees a session only once it has
   * processed the client's close of its channel; when that close and the next open arrive in one read, it refuses
   * the open although this transport never has more than {@link Endpoint#maxSessions()} open. Observed with 16
   * threads on 8 sessions against MaxSessions 10.
   */
  private Session openSession(long deadline, String what) throws IOException {
    long pause = PAUSE_MIN.toNanos();
    while (true) {
      try {
        return client.startSession();
      } catch (OpenFailException e) {
        // OpenSSH answers a refused session with the generic reason CONNECT_FAILED and "open failed"
        if (remainingNanos(deadline) <= pause) {
          throw new IOException(what + ": the server kept refusing a new session (is its MaxSessions below "
              + "max-sessions " + endpoint.maxSessions() + "?)", e);
        }
        LockSupport.parkNanos(pause);
        pause = Math.min(pause * 2, PAUSE_MAX.toNanos());
      }
    }
  }

  private ExecResult collect(Session.Command running, Command command, long deadline, String what,
      StdinSource stdinSource, StdoutSink stdoutSink) throws IOException {
    CompletableFuture<Long> processGroup = new CompletableFuture<>();
    Future<byte[]> stdout = io.submit(() -> {
      InputStream in = running.getInputStream();
      processGroup.complete(readProcessGroup(in, what));
      return stdoutSink.take(in);
    });
    Future<byte[]> stderr = io.submit(() -> running.getErrorStream().readAllBytes());
    Future<?> stdin = io.submit(() -> {
      try {
        stdinSource.send(running);
      } catch (IOException e) {
        // input cut short: the command must not finish as if it had all of it
        abandon(running, processGroupWithin(processGroup, deadline));
        throw e;
      }
      return null;
    });
    try {
      byte[] out;
      byte[] err;
      try {
        out = await(stdout, deadline, what);
        err = await(stderr, deadline, what);
        awaitClose(running, deadline);
      } catch (IOException e) {
        if (stdin.isDone()) {
          await(stdin, deadline, what);
        }
        throw e;
      }
      await(stdin, deadline, what);
      return new ExecResult(exitCode(running, what), out, err);
    } catch (TimeoutException e) {
      abandon(running, processGroup.getNow(null));
      throw new CommandTimeoutException(what + " on " + describe() + " did not finish within "
          + format(command.timeout()) + "; its process group was sent SIGHUP and its session closed");
    } finally {
      // a command may exit without reading all its input; the writer then has nobody to write to
      stdin.cancel(true);
      stdout.cancel(true);
      stderr.cancel(true);
    }
  }

  /** The command's process group once the remote shell reported it, or null when it did not before the deadline. */
  private static Long processGroupWithin(CompletableFuture<Long> processGroup, long deadline) {
    try {
      return processGroup.get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Reads the first line of stdout, which {@link #REPORT_PROCESS_GROUP} printed before the command started. */
  private static long readProcessGroup(InputStream in, String what) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0 || line.length() > 20) {
        throw new IOException(what + ": expected the remote shell's process id first on stdout, got `" + line
            + "` (does a login script print to stdout?)");
      }
      line.append((char) c);
    }
    try {
      return Long.parseLong(line.toString().strip());
    } catch (NumberFormatException e) {
      throw new IOException(what + ": expected the remote shell's process id first on stdout, got `" + line
          + "` (does a login script print to stdout?)", e);
    }
  }

  /**
   * Copies {@code input} to the command's stdin chunk by chunk, then sends EOF. The command may stop reading early
   * (its exit status tells why); a failure to read {@code input} fails the command, since its input was cut short.
   */
  private static void sendStream(Session.Command running, InputStream input) throws IOException {
    byte[] buffer = new byte[STREAM_CHUNK];
    for (int n = input.read(buffer); n >= 0 && running.isOpen(); n = input.read(buffer)) {
      writeWithinWindow(running, buffer, n);
    }
    sendEof(running);
  }

  /** Closes stdin; a command that already ended needs no EOF, and its exit status says how it went. */
  private static void sendEof(Session.Command running) throws IOException {
    try {
      running.getOutputStream().close();
    } catch (IOException e) {
      if (running.isOpen()) {
        throw e;
      }
    }
  }

  /**
   * Writes {@code length} bytes of {@code input} to stdin, never more at once than the server's window allows.
   * sshj's channel stream waits for window space while holding its monitor, and sshj's reader thread needs that
   * monitor to process the channel's close: a command that exits without reading its input would stall the whole
   * connection (every channel) until the wait times out. Waiting here, outside the monitor, means polling the
   * window, with a short backoff.
   */
  private static void writeWithinWindow(Session.Command running, byte[] input, int length) throws IOException {
    OutputStream out = running.getOutputStream();
    long pause = PAUSE_MIN.toNanos();
    int off = 0;
    while (off < length) {
      if (Thread.interrupted()) {
        throw new InterruptedIOException("stdin abandoned");
      }
      int n = (int) Math.min(length - off, running.getRemoteWinSize());
      if (n > 0) {
        try {
          out.write(input, off, n);
          out.flush();
        } catch (IOException e) {
          if (running.isOpen()) {
            throw e;
          }
          return; // the command ended while we wrote
        }
        off += n;
        pause = PAUSE_MIN.toNanos();
      } else if (!running.isOpen()) {
        return; // the command ended without reading everything, as it may
      } else {
        LockSupport.parkNanos(pause);
        pause = Math.min(pause * 2, PAUSE_MAX.toNanos());
      }
    }
  }

  private static <T> T await(Future<T> future, long deadline, String what) throws IOException, TimeoutException {
    try {
      return future.get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + what, e);
    }
  }

  /** Waits until the server closes the channel, which it does once the command exited and its output is sent. */
  private static void awaitClose(Session.Command running, long deadline) throws ConnectionException,
      TimeoutException {
    try {
      // sshj waits forever on a zero timeout, so the last instant before the deadline counts as expired
      long millis = TimeUnit.NANOSECONDS.toMillis(remainingNanos(deadline));
      if (millis <= 0) {
        throw new TimeoutException();
      }
      running.join(millis, TimeUnit.MILLISECONDS);
    } catch (ConnectionException e) {
      if (remainingNanos(deadline) <= 0) {
        throw new TimeoutException();
      }
      throw e;
    }
  }

  private int exitCode(Session.Command running, String what) throws TransportException {
    Integer status = running.getExitStatus();
    if (status != null) {
      return status;
    }
    Signal signal = running.getExitSignal();
    if (signal != null) {
      return 128 + SIGNAL_NUMBERS.getOrDefault(signal, 127);
    }
    throw new TransportException(what + " on " + describe() + " ended without an exit status");
  }

  /**
   * Stops a command that overran. Closing its channel is not enough: without a terminal OpenSSH leaves the command
   * running, and it refuses {@code signal} channel requests for root logins (no privilege separation after auth).
   * So the command's process group (the shell sshd started is a session leader, see {@link
   * #REPORT_PROCESS_GROUP}) gets SIGHUP from a second, short command, and SIGKILL if it is still there after a
   * grace period. That command bypasses the session gate, which is kept below the server's MaxSessions.
   */
  private void abandon(Session.Command running, Long processGroup) {
    if (processGroup != null && client.getTransport().isRunning()) {
      signalProcessGroup(processGroup, "HUP");
      try {
        running.join(Math.toIntExact(HANGUP_GRACE.toMillis()), TimeUnit.MILLISECONDS);
      } catch (ConnectionException e) {
        signalProcessGroup(processGroup, "KILL");
      }
    }
    closeQuietly(running);
  }

  private void signalProcessGroup(long processGroup, String signal) {
    Command kill = Command.of("kill", "-s", signal, "--", "-" + processGroup);
    try (Session session = client.startSession()) {
      Session.Command running = session.exec(kill.toShellLine());
      running.getOutputStream().close();
      running.join(client.getConnection().getTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      LOG.warn("could not send SIG{} to a timed-out command on {}: {}", signal, describe(), e.toString());
    }
  }

  private void acquireSession(long deadline, Duration timeout, String what) throws TransportException {
    try {
      if (!sessions.tryAcquire(remainingNanos(deadline), TimeUnit.NANOSECONDS)) {
        throw new CommandTimeoutException(what + " on " + describe() + " did not start within " + format(timeout)
            + ": all " + endpoint.maxSessions() + " sessions stayed busy");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted waiting for a session on " + describe(), e);
    }
  }

  private void ensureUsable() throws TransportException {
    if (closed.get()) {
      throw new TransportException(describe() + " is closed");
    }
    if (!client.getTransport().isRunning()) {
      markLost("the server closed it");
    }
    String why = lost.get();
    if (why != null) {
      throw new TransportException(why);
    }
  }

  /** The error for a call that failed: the connection's fate if it is gone, else what failed and why. */
  private TransportException failure(String what, Exception e) {
    if (closed.get()) {
      return new TransportException(what + " on " + describe() + " was cut short: the transport was closed", e);
    }
    if (!client.getTransport().isRunning()) {
      markLost(e.getMessage());
    }
    String why = lost.get();
    if (why != null) {
      return new TransportException(why, e);
    }
    return new TransportException(what + " on " + describe() + " failed: " + e.getMessage(), e);
  }

  private void peerSilent(Duration silence) {
    if (markLost("no keep-alive reply for " + format(silence))) {
      LOG.warn("{}", lost.get());
      // A write to a peer that reads nothing blocks in the socket while holding sshj's locks, and sshj's die()
      // would wait for them: close the socket first. Without a disconnect reason sshj then sends no goodbye
      // packet either; dying wakes every thread waiting on this connection.
      Socket socket = client.getSocket();
      if (socket != null) {
        closeQuietly(socket);
      }
      client.getTransport().die(new net.schmizz.sshj.transport.TransportException(lost.get()));
      closeTunnel();
    }
  }

  /** Closes the channel on the jump host's connection; the jump host answers at once, whatever this host's state. */
  private void closeTunnel() {
    tunnel.ifPresent(SshTransport::closeQuietly);
  }

  private boolean markLost(String reason) {
    return lost.compareAndSet(null, "connection to " + endpoint.host() + " (" + describe() + ") lost (" + reason
        + ")");
  }

  private static Tunnel openTunnel(Endpoint endpoint, TransportProvider.Connector connector)
      throws TransportException {
    Endpoint via = endpoint.via().orElseThrow();
    Transport jump = connector.connect(via);
    if (!(jump instanceof SshTransport sshJump)) {
      throw new TransportException("jump host " + via.host() + " of host " + endpoint.host()
          + " must be reached over ssh, but its transport is " + jump.describe());
    }
    return sshJump.tunnelTo(endpoint.address(), endpoint.port(), endpoint.host());
  }

  private static KeyProvider loadIdentity(SSHClient client, Endpoint endpoint) throws TransportException {
    Path key = endpoint.identity().orElseThrow(() -> new TransportException("host " + endpoint.host()
        + " has no SSH identity: set `ssh: { identity: PATH }` (converge uses no agent and no passwords)"));
    if (!Files.isReadable(key)) {
      throw new TransportException("SSH identity " + key + " of host " + endpoint.host()
          + " does not exist or is not readable");
    }
    try {
      KeyProvider keys = client.loadKeys(key.toString());
      keys.getPrivate();
      return keys;
    } catch (IOException | RuntimeException e) {
      throw new TransportException("cannot load SSH identity " + key + " of host " + endpoint.host()
          + " (an unencrypted OpenSSH ed25519 or RSA private key is needed): " + e.getMessage(), e);
    }
  }

  private static KnownHostsVerifier knownHosts(Endpoint endpoint) throws TransportException {
    try {
      return new KnownHostsVerifier(endpoint.knownHosts(), endpoint.hostKeyPolicy());
    } catch (IOException e) {
      throw new TransportException("cannot read known hosts " + endpoint.knownHosts() + " for host "
          + endpoint.host() + ": " + e.getMessage(), e);
    }
  }

  private static void authenticate(SSHClient client, Endpoint endpoint, KeyProvider identity)
      throws TransportException {
    try {
      client.authPublickey(endpoint.user(), identity);
    } catch (IOException e) {
      String why = e instanceof UserAuthException ? "the server refused the key" : e.getMessage();
      throw new TransportException(endpoint + ": public key authentication as " + endpoint.user() + " with "
          + endpoint.identity().orElseThrow() + " failed: " + why + " (is its public key in " + endpoint.user()
          + "'s authorized_keys?)", e);
    }
  }

  private static TransportException connectFailure(Endpoint endpoint, KnownHostsVerifier verifier,
      boolean deadlinePassed, IOException e) {
    String where = endpoint.address() + ":" + endpoint.port() + " (host " + endpoint.host() + ")";
    if (deadlinePassed || e instanceof SocketTimeoutException) {
      return new TransportException("cannot connect to " + where + ": no SSH session within "
          + format(endpoint.connectTimeout()), e);
    }
    Optional<String> refusal = verifier.refusal();
    if (refusal.isPresent()) {
      return new TransportException(refusal.get(), e);
    }
    if (e instanceof TransportException t) {
      return t;
    }
    if (e instanceof UnknownHostException) {
      return new TransportException("cannot connect to " + where + ": unknown address", e);
    }
    return new TransportException("cannot connect to " + where + ": " + e.getMessage(), e);
  }

  private static String stderrOrExit(ExecResult r) {
    String err = r.err().strip();
    return err.isEmpty() ? "exit status " + r.exitCode() : err;
  }

  private static long remainingNanos(long deadline) {
    return deadline - System.nanoTime();
  }

  /** {@code 5s}, {@code 1.5s}, {@code 0.25s}. */
  static String format(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
  }

  private static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      LOG.debug("closing {}: {}", c, e.toString());
    }
  }
}

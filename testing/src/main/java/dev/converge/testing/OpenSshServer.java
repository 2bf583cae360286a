package dev.converge.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenSSH {@code sshd} on 127.0.0.1, started by a test with its own ed25519 host key, client key pair,
 * authorized_keys, configuration and log in a private temporary directory.
 *
 * <p>Use it as a JUnit extension ({@code @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();}
 * starts it before the class and stops it after; on an instance field, around each test) or directly with
 * try-with-resources ({@code try (OpenSshServer sshd = OpenSshServer.create().start()) {...}}).
 *
 * <p>Only processes this fixture started are ever signalled, by PID. Linux only: {@link #localTcpPorts()} reads
 * {@code /proc}. The daemon runs as the current user, which must be root to log in as root (CI runs as root).
 */
public final class OpenSshServer
    implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final Path SSHD = Path.of("/usr/sbin/sshd");
  private static final Path PRIVILEGE_SEPARATION_DIR = Path.of("/run/sshd");
  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
  private static final int PORT_ATTEMPTS = 5;
  private static final Pattern ACCEPTED_FROM =
      Pattern.compile("Accepted publickey for \\S+ from (\\S+) port (\\d+)");

  private final Map<String, String> settings = new LinkedHashMap<>();
  private Path dir;
  private Path hostKey;
  private Path clientKey;
  private Path log;
  private int port;
  private Process daemon;
  private long logLengthAtLaunch;
  private boolean startedForOneTest;
  /** Stops the server if the JVM exits without {@link #close()}, e.g. a test run interrupted with Ctrl-C. */
  private final Thread stopAtExit = new Thread(this::close, "sshd-fixture-stop");

  private OpenSshServer() {
    settings.put("PasswordAuthentication", "no");
    settings.put("KbdInteractiveAuthentication", "no");
    settings.put("PubkeyAuthentication", "yes");
    settings.put("PermitRootLogin", "prohibit-password");
    settings.put("UsePAM", "no");
    settings.put("StrictModes", "no");
    settings.put("UseDNS", "no");
    settings.put("LogLevel", "VERBOSE");
    settings.put("MaxSessions", "10");
    settings.put("MaxStartups", "100");
    settings.put("Subsystem", "sftp internal-sftp");
    settings.put("AllowTcpForwarding", "yes");
    // bash sources ~/.bashrc when sshd starts it as a top-level shell (SHLVL < 2): a developer's heavy .bashrc
    // (pyenv, nvm) would slow every command down and, killed mid-way, can leave stale locks that stall the next
    // logins. Tests should not depend on the machine's interactive shell setup.
    settings.put("SetEnv", "SHLVL=1");
  }

  /** A server not yet started: change settings with {@link #with}, then {@link #start()} (or let JUnit do it). */
  public static OpenSshServer create() {
    return new OpenSshServer();
  }

  /**
   * Sets one sshd_config keyword (e.g. {@code AllowTcpForwarding no}), replacing the fixture's default. Listen
   * address, port, keys, authorized keys and pid file belong to the fixture and cannot be changed.
   */
  public OpenSshServer with(String keyword, String value) {
    requireNotStarted();
    settings.put(keyword, value);
    return this;
  }

  /** Generates the keys, writes the configuration and starts sshd on a free port; returns once it accepts. */
  public synchronized OpenSshServer start() {
    requireNotStarted();
    if (!Files.isExecutable(SSHD)) {
      throw new IllegalStateException("OpenSSH server not installed: apt-get install openssh-server");
    }
    try {
      ensurePrivilegeSeparationDir();
      dir = Files.createTempDirectory("converge-sshd-");
      hostKey = dir.resolve("ssh_host_ed25519_key");
      generateKey(hostKey, "ed25519");
      clientKey = dir.resolve("id_ed25519");
      generateKey(clientKey, "ed25519");
      log = dir.resolve("sshd.log");
      Files.writeString(dir.resolve("authorized_keys"), Files.readString(publicKeyOf(clientKey)));
      launchOnFreePort();
      Runtime.getRuntime().addShutdownHook(stopAtExit);
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start sshd: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public String host() {
    return HOST;
  }

  public int port() {
    requireStarted();
    return port;
  }

  /** The user the server lets in with {@link #clientKey()}: the user running the test. */
  public String user() {
    return System.getProperty("user.name");
  }

  /** The private key (OpenSSH format, ed25519, no passphrase) whose public half is authorized. */
  public Path clientKey() {
    requireStarted();
    return clientKey;
  }

  /**
   * Generates another client key pair of {@code type} ({@code rsa}, {@code ecdsa}, {@code ed25519}), authorizes
   * it and returns the private key's path.
   */
  public synchronized Path addClientKey(String type) {
    requireStarted();
    try {
      Path key = Files.createTempFile(dir, "id_" + type + "-", "");
      Files.delete(key);
      generateKey(key, type);
      Files.writeString(dir.resolve("authorized_keys"), Files.readString(publicKeyOf(key)),
          StandardOpenOption.APPEND);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code [127.0.0.1]:PORT ssh-ed25519 AAAA...}: this server's line for a known_hosts file. */
  public String knownHostsLine() {
    requireStarted();
    String[] pub = readPublicHostKey();
    return "[" + HOST + "]:" + port + " " + pub[0] + " " + pub[1];
  }

  /** Writes (replaces) {@code file} with just {@link #knownHostsLine()}; returns {@code file}. */
  public Path writeKnownHosts(Path file) {
    try {
      Files.writeString(file, knownHostsLine() + "\n");
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The host key's fingerprint as OpenSSH prints it: {@code SHA256:} and unpadded base64. */
  public String hostKeyFingerprint() {
    requireStarted();
    byte[] blob = Base64.getDecoder().decode(readPublicHostKey()[1]);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Everything sshd has logged so far (LogLevel VERBOSE unless changed with {@link #with}). */
  public String log() {
    requireStarted();
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many connections authenticated ({@code Accepted publickey} lines). */
  public long acceptedConnections() {
    return log().lines().filter(l -> l.contains("Accepted publickey")).count();
  }

  /** The client ports of authenticated connections, in order: who connected, as the server saw it. */
  public List<Integer> acceptedClientPorts() {
    List<Integer> ports = new ArrayList<>();
    Matcher m = ACCEPTED_FROM.matcher(log());
    while (m.find()) {
      ports.add(Integer.parseInt(m.group(2)));
    }
    return ports;
  }

  /** How many exec requests sshd served ({@code Starting session: command} lines, logged at VERBOSE). */
  public long commandsExecuted() {
    return log().lines().filter(l -> l.contains("Starting session: command")).count();
  }

  public long pid() {
    requireStarted();
    return daemon.pid();
  }

  /** The listening daemon and every process it forked (per-connection monitors, sessions, commands). */
  public List<ProcessHandle> processes() {
    requireStarted();
    return Stream.concat(Stream.of(daemon.toHandle()), daemon.descendants()).toList();
  }

  /**
   * The local ports of every TCP socket the server's processes hold: its listening port, and the client side of
   * connections it opened, e.g. when it forwards a jump-host tunnel to another server.
   */
  public Set<Integer> localTcpPorts() {
    return ProcTcpSockets.localPortsOf(processes().stream().map(ProcessHandle::pid).toList());
  }

  /** Freezes the daemon and all its descendants (SIGSTOP): a peer that is there but never answers. */
  public synchronized void pause() {
    requireStarted();
    List<ProcessHandle> all = processes();
    signal("STOP", all);
  }

  /** Lets a {@link #pause() paused} server run again (SIGCONT). */
  public synchronized void resume() {
    requireStarted();
    List<ProcessHandle> all = new ArrayList<>(processes());
    Collections.reverse(all);
    signal("CONT", all);
  }

  /**
   * Replaces the host key with a new one and restarts sshd on the same port, as a reinstalled (or impersonated)
   * host would look to a client. Existing connections are cut.
   */
  public synchronized void rotateHostKey() {
    requireStarted();
    stopProcesses();
    try {
      Files.delete(hostKey);
      Files.delete(publicKeyOf(hostKey));
      generateKey(hostKey, "ed25519");
      launch();
      if (!awaitListening()) {
        throw new IllegalStateException("sshd did not restart on port " + port + ":\n" + log());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the daemon and its descendants (by PID) and deletes the directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (daemon != null) {
      stopProcesses();
      daemon = null;
      removeShutdownHook();
    }
    if (dir != null) {
      deleteRecursively(dir);
      dir = null;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (daemon == null) {
      startedForOneTest = true;
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (startedForOneTest) {
      close();
    }
  }

  @Override
  public String toString() {
    return daemon == null ? "sshd (not running)" : "sshd pid " + daemon.pid() + " on " + HOST + ":" + port;
  }

  private void launchOnFreePort() throws IOException {
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      port = freePort();
      writeConfig();
      launch();
      if (awaitListening()) {
        return;
      }
      // another process took the port between our probe and sshd's bind: try another one
    }
    throw new IllegalStateException("sshd could not bind a port after " + PORT_ATTEMPTS + " attempts:\n" + log());
  }

  private void writeConfig() throws IOException {
    StringBuilder config = new StringBuilder()
        .append("ListenAddress ").append(HOST).append('\n')
        .append("Port ").append(port).append('\n')
        .append("HostKey ").append(hostKey).append('\n')
        .append("AuthorizedKeysFile ").append(dir.resolve("authorized_keys")).append('\n')
        .append("PidFile ").append(dir.resolve("sshd.pid")).append('\n');
    settings.forEach((k, v) -> config.append(k).append(' ').append(v).append('\n'));
    Files.writeString(dir.resolve("sshd_config"), config);
  }

  private void launch() throws IOException {
    logLengthAtLaunch = Files.exists(log) ? Files.size(log) : 0;
    daemon = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** True once sshd has bound the port and accepts connections; false if it exited because the port was taken. */
  private boolean awaitListening() {
    // sshd logs this line after listen(2), so a client connecting afterwards is queued, never refused
    String listening = "Server listening on " + HOST + " port " + port + ".";
    try {
      await("sshd listening on " + port).atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(10))
          .until(() -> !daemon.isAlive() || logSinceLaunch().contains(listening));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("sshd did not start within " + STARTUP_TIMEOUT + ":\n" + log(), e);
    }
    if (daemon.isAlive()) {
      return true;
    }
    String text = logSinceLaunch();
    if (text.contains("Address already in use") || text.contains("Cannot bind any address")) {
      return false;
    }
    throw new IllegalStateException("sshd exited with status " + daemon.exitValue() + ":\n" + text);
  }

  private String logSinceLaunch() {
    try {
      byte[] bytes = Files.readAllBytes(log);
      int from = (int) Math.min(logLengthAtLaunch, bytes.length);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stopProcesses() {
    List<ProcessHandle> all = processes();
    // SIGKILL works on stopped processes too, so a paused server needs no resume first
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("sshd process " + p.pid() + " did not exit after SIGKILL", e);
      }
    }
  }

  private void removeShutdownHook() {
    if (Thread.currentThread() == stopAtExit) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is already exiting, or start() failed before registering it
    }
  }

  private static void signal(String name, List<ProcessHandle> processes) {
    // the shell's builtin kill: Debian ships /bin/kill in procps, which a minimal CI image may lack
    List<String> argv = new ArrayList<>(List.of("sh", "-c", "kill -s " + name + " \"$@\"", "sh"));
    processes.forEach(p -> argv.add(Long.toString(p.pid())));
    // a session that ended meanwhile makes kill report ESRCH for its PID; the others were still signalled
    run(argv, false);
  }

  private static void ensurePrivilegeSeparationDir() throws IOException {
    if (!Files.isDirectory(PRIVILEGE_SEPARATION_DIR)) {
      Files.createDirectories(PRIVILEGE_SEPARATION_DIR);
      Files.setPosixFilePermissions(PRIVILEGE_SEPARATION_DIR, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private static void generateKey(Path privateKey, String type) {
    List<String> argv = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C",
        "converge-test", "-f", privateKey.toString()));
    if (type.equals("rsa")) {
      argv.addAll(List.of("-b", "3072"));
    }
    run(argv, true);
  }

  private static Path publicKeyOf(Path privateKey) {
    return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
  }

  /** The host public key's type and base64 blob. */
  private String[] readPublicHostKey() {
    try {
      return Files.readString(publicKeyOf(hostKey)).strip().split("\\s+");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(List<String> argv, boolean mustSucceed) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = p.waitFor();
      if (status != 0 && mustSucceed) {
        throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + status + "): " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + argv.get(0), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(HOST, 0));
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  private void requireStarted() {
    if (daemon == null) {
      throw new IllegalStateException("sshd is not running: call start() or register the fixture with JUnit");
    }
  }

  private void requireNotStarted() {
    if (daemon != null) {
      throw new IllegalStateException("sshd already started: " + this);
    }
  }
}

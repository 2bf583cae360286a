package dev.converge.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real BIND 9 {@code named} on 127.0.0.1, started by a test: primary for the given zones (each with the SOA
 * {@code ns.ZONE. hostmaster.ZONE.}, NS {@code ns.ZONE.} and {@code ns.ZONE. A 127.0.0.1}), dynamic updates and
 * transfers allowed to one TSIG key made by {@code tsig-keygen}, configuration, zone files and journals in a private
 * temporary directory, on a free port.
 *
 * <p>Use it as a JUnit extension ({@code @RegisterExtension static BindServer bind = BindServer.serving("my.domain")}
 * starts it before the class and stops it after) or with try-with-resources. {@link #nsupdate} and {@link #dig} run
 * BIND's own clients (package bind9-dnsutils) against it, so that tests check through a second implementation.
 * Only the {@code named} this fixture started is ever signalled, by PID.
 */
public final class BindServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  /** The name of the key that may update and transfer every zone. */
  public static final String KEY_NAME = "converge-test";

  private static final Path NAMED = Path.of("/usr/sbin/named");
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  private final List<String> zones;
  private Path dir;
  private Path keyFile;
  private Path log;
  private int port;
  private Process named;

  private BindServer(List<String> zones) {
    this.zones = List.copyOf(zones);
  }

  /** A server, not yet started, that will be primary for {@code zones} (names without the final dot). */
  public static BindServer serving(String... zones) {
    return new BindServer(List.of(zones));
  }

  /** Writes the key, configuration and zone files, starts named and returns once it answers for every zone. */
  public synchronized BindServer start() {
    if (named != null) {
      throw new IllegalStateException("named already started");
    }
    if (!Files.isExecutable(NAMED)) {
      throw new IllegalStateException("BIND not installed: apt-get install bind9 bind9-utils bind9-dnsutils");
    }
    try {
      dir = Files.createTempDirectory("converge-named-");
      keyFile = dir.resolve(KEY_NAME + ".key");
      Files.writeString(keyFile, run(List.of("tsig-keygen", "-a", "hmac-sha256", KEY_NAME), ""));
      for (String zone : zones) {
        Files.writeString(dir.resolve("db." + zone), zoneFile(zone));
      }
      port = freePort();
      Path conf = dir.resolve("named.conf");
      Files.writeString(conf, config());
      log = dir.resolve("named.log");
      named = new ProcessBuilder(NAMED.toString(), "-g", "-4", "-c", conf.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      await("named on 127.0.0.1:" + port + " (log " + log + ")").atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !named.isAlive() || loaded(Files.readString(log)));
      if (!named.isAlive()) {
        throw new IllegalStateException("named exited with " + named.exitValue() + ":\n" + Files.readString(log));
      }
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start named: " + e.getMessage(), e);
    }
  }

  /** named prints "running on Linux" first and a bare "running" once serving; zones load in tasks: wait for both. */
  private boolean loaded(String log) {
    return log.contains(" running\n")
        && zones.stream().allMatch(z -> log.contains("zone " + z + "/IN: loaded serial"));
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT}, as a {@code dns-record}'s {@code server} property. */
  public String server() {
    return "127.0.0.1:" + port;
  }

  /** The key file as {@code tsig-keygen} wrote it. */
  public String keyFileText() {
    try {
      return Files.readString(keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** named's own log so far (for failure messages). */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code nsupdate -k KEY} with {@code commands} (e.g. {@code update add www.my.domain. 60 A 192.0.2.1}) for
   * {@code zone}, followed by {@code send}; fails if nsupdate does.
   */
  public void nsupdate(String zone, String... commands) {
    StringBuilder script = new StringBuilder("server 127.0.0.1 " + port + "\nzone " + zone + "\n");
    for (String c : commands) {
      script.append(c).append('\n');
    }
    script.append("send\n");
    run(List.of("nsupdate", "-k", keyFile.toString()), script.toString());
  }

  /**
   * {@code dig +short} for one RRset, signed with the key; e.g. {@code dig("www.my.domain", "A")} →
   * {@code [192.0.2.1]}, sorted.
   */
  public List<String> dig(String name, String type) {
    String out = run(List.of("dig", "-p", String.valueOf(port), "@127.0.0.1", "-k", keyFile.toString(), "+short",
        "+norecurse", "+tcp", name, type), "");
    return out.lines().filter(l -> !l.isBlank()).sorted().toList();
  }

  /** The zone's records as {@code dig AXFR} prints them ({@code NAME TTL IN TYPE RDATA}), tab-separated. */
  public List<String> axfr(String zone) {
    String out = run(List.of("dig", "-p", String.valueOf(port), "@127.0.0.1", "-k", keyFile.toString(),
        "+noall", "+answer", zone, "AXFR"), "");
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Stops named (SIGTERM, then SIGKILL) and removes its directory. */
  @Override
  public synchronized void close() {
    if (named != null) {
      named.destroy();
      try {
        if (!named.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          named.destroyForcibly().waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      named = null;
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      dir = null;
    }
  }

  private String config() {
    StringBuilder c = new StringBuilder();
    c.append("include \"").append(keyFile).append("\";\n");
    c.append("options {\n")
        .append("  directory \"").append(dir).append("\";\n")
        .append("  pid-file \"").append(dir.resolve("named.pid")).append("\";\n")
        .append("  session-keyfile \"").append(dir.resolve("session.key")).append("\";\n")
        .append("  listen-on port ").append(port).append(" { 127.0.0.1; };\n")
        .append("  listen-on-v6 { none; };\n")
        .append("  recursion no;\n")
        .append("  dnssec-validation no;\n")
        .append("};\n")
        .append("controls { };\n");
    for (String zone : zones) {
      c.append("zone \"").append(zone).append("\" {\n")
          .append("  type primary;\n")
          .append("  file \"").append(dir.resolve("db." + zone)).append("\";\n")
          .append("  update-policy { grant ").append(KEY_NAME).append(" zonesub ANY; };\n")
          .append("  allow-transfer { key ").append(KEY_NAME).append("; };\n")
          .append("};\n");
    }
    return c.toString();
  }

  private static String zoneFile(String zone) {
    return "$TTL 300\n"
        + zone + ". IN SOA ns." + zone + ". hostmaster." + zone + ". 1 3600 600 86400 300\n"
        + zone + ". IN NS ns." + zone + ".\n"
        + "ns." + zone + ". IN A 127.0.0.1\n";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String run(List<String> argv, String stdin) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(argv.get(0) + " did not finish within " + CLIENT_TIMEOUT);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", argv) + " failed (" + p.exitValue() + "):\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + argv.get(0), e);
    }
  }
}

package dev.converge.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one host: the transport scheme ({@code local} or {@code ssh}) and, for SSH, address, credentials,
 * host-key policy, an optional jump host and timeouts. Built by the engine from the spec's host.
 *
 * @param host the host's name in the spec
 * @param keepAliveInterval how often to probe an idle connection; {@code keepAliveCountMax} misses make it dead
 * @param maxSessions channels opened at once on one connection (below the server's MaxSessions, 10 for OpenSSH)
 */
public record Endpoint(
    String host,
    String scheme,
    String address,
    int port,
    String user,
    Optional<Path> identity,
    Path knownHosts,
    HostKeyPolicy hostKeyPolicy,
    Optional<Endpoint> via,
    Duration connectTimeout,
    Duration commandTimeout,
    Duration keepAliveInterval,
    int keepAliveCountMax,
    int maxSessions) {

  public static final String LOCAL = "local";
  public static final String SSH = "ssh";

  public Endpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(knownHosts, "knownHosts");
    Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
    Objects.requireNonNull(via, "via");
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions < 1");
    }
  }

  /** The machine converge runs on. */
  public static Endpoint local(String host) {
    return new Endpoint(host, LOCAL, "localhost", 0, System.getProperty("user.name"), Optional.empty(),
        Path.of("/dev/null"), HostKeyPolicy.STRICT, Optional.empty(), Duration.ofSeconds(10), Command.DEFAULT_TIMEOUT,
        Duration.ofSeconds(5), 3, 8);
  }

  /** An SSH endpoint with converge's defaults: strict host keys, 10 s connect, 5 s keep-alive, 8 sessions. */
  public static Endpoint ssh(String host, String address, int port, String user, Path identity, Path knownHosts) {
    return new Endpoint(host, SSH, address, port, user, Optional.of(identity), knownHosts, HostKeyPolicy.STRICT,
        Optional.empty(), Duration.ofSeconds(10), Command.DEFAULT_TIMEOUT, Duration.ofSeconds(5), 3, 8);
  }

  public Endpoint withHostKeyPolicy(HostKeyPolicy policy) {
    return new Endpoint(host, scheme, address, port, user, identity, knownHosts, policy, via, connectTimeout,
        commandTimeout, keepAliveInterval, keepAliveCountMax, maxSessions);
  }

  public Endpoint withVia(Endpoint jump) {
    return new Endpoint(host, scheme, address, port, user, identity, knownHosts, hostKeyPolicy, Optional.of(jump),
        connectTimeout, commandTimeout, keepAliveInterval, keepAliveCountMax, maxSessions);
  }

  public Endpoint withTimeouts(Duration connect, Duration command, Duration keepAlive, int keepAliveMisses) {
    return new Endpoint(host, scheme, address, port, user, identity, knownHosts, hostKeyPolicy, via, connect, command,
        keepAlive, keepAliveMisses, maxSessions);
  }

  public Endpoint withMaxSessions(int sessions) {
    return new Endpoint(host, scheme, address, port, user, identity, knownHosts, hostKeyPolicy, via, connectTimeout,
        commandTimeout, keepAliveInterval, keepAliveCountMax, sessions);
  }

  /** {@code ssh root@10.0.0.1:22 via jump}, or {@code local}. */
  @Override
  public String toString() {
    if (scheme.equals(LOCAL)) {
      return LOCAL;
    }
    return scheme + " " + user + "@" + address + ":" + port + via.map(v -> " via " + v.host()).orElse("");
  }
}

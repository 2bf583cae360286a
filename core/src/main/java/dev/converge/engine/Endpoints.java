package dev.converge.engine;

import dev.converge.driver.Endpoint;
import dev.converge.spec.Host;
import dev.converge.spec.Spec;
import dev.converge.spec.Ssh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the engine reaches each host of a spec, and which platform's drivers speak to it: {@code transport: local} →
 * the local transport; any other host → SSH with its settings, tunnelled through its {@code via} host; the platform is
 * the host's {@code os}. The lab replaces both: its own addresses, and Linux whatever {@code os:} says.
 */
public interface Endpoints {

  Endpoint of(Spec spec, String host);

  /** {@code linux} or {@code freebsd}: which drivers manage {@code host}'s resources. */
  default String platform(Spec spec, String host) {
    return spec.hosts().get(host).os();
  }

  /** The spec's own addresses and SSH settings; identity defaults to ~/.ssh/id_ed25519, else ~/.ssh/id_rsa. */
  static Endpoints fromSpec() {
    return Endpoints::fromHost;
  }

  private static Endpoint fromHost(Spec spec, String name) {
    Host h = spec.hosts().get(name);
    if (h == null) {
      throw new IllegalArgumentException("no host `" + name + "` in the spec");
    }
    if (h.isLocal()) {
      return Endpoint.local(name);
    }
    Ssh ssh = h.ssh();
    Path home = Path.of(System.getProperty("user.home"));
    Path identity = ssh.identity().orElseGet(() -> defaultIdentity(home));
    Path knownHosts = ssh.knownHosts().orElse(home.resolve(".ssh/known_hosts"));
    Endpoint e = Endpoint.ssh(name, h.address().orElseThrow(), ssh.port(), ssh.user(), identity, knownHosts)
        .withHostKeyPolicy(ssh.hostKeyPolicy())
        .withTimeouts(ssh.connectTimeout(), ssh.commandTimeout(), ssh.keepAlive(), 3);
    Optional<String> via = h.via();
    return via.isPresent() ? e.withVia(fromHost(spec, via.get())) : e;
  }

  private static Path defaultIdentity(Path home) {
    Path ed25519 = home.resolve(".ssh/id_ed25519");
    Path rsa = home.resolve(".ssh/id_rsa");
    return !Files.exists(ed25519) && Files.exists(rsa) ? rsa : ed25519;
  }
}

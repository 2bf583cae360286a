package dev.converge.spec;

import dev.converge.driver.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * SSH settings of a host ({@code ssh:} in the spec). Paths are absolute ({@code ~} expanded, relative ones taken
 * from the spec file's directory).
 *
 * @param identity private key file (ed25519 or rsa); default {@code ~/.ssh/id_ed25519}
 * @param knownHosts OpenSSH known_hosts file; default {@code ~/.ssh/known_hosts}
 */
public record Ssh(
    String user,
    int port,
    Optional<Path> identity,
    Optional<Path> knownHosts,
    HostKeyPolicy hostKeyPolicy,
    Duration connectTimeout,
    Duration commandTimeout,
    Duration keepAlive) {

  public static final Ssh DEFAULTS = new Ssh("root", 22, Optional.empty(), Optional.empty(), HostKeyPolicy.STRICT,
      Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofSeconds(5));
}

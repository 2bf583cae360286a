package dev.converge.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The OpenSSH files of a lab: keys (made with ssh-keygen), each host's sshd_config, and the client side's
 * known_hosts and ssh_config. Every host key exists before its sshd starts, so known_hosts is complete up front and
 * clients check host keys strictly.
 */
final class SshFiles {

  static final String USER = "root";
  static final int PORT = 22;
  /** Inside a lab host, where its init script puts the files sshd reads. */
  static final String HOST_CONFIG_DIR = "/etc/ssh/converge-lab";

  private SshFiles() {}

  /** A new ed25519 key pair at {@code privateKey} and {@code privateKey.pub}, replacing any old one. */
  static void generateKey(Path privateKey, String comment) {
    try {
      Files.deleteIfExists(privateKey);
      Files.deleteIfExists(publicKeyOf(privateKey));
    } catch (IOException e) {
      throw new LabException("cannot replace " + privateKey + ": " + e.getMessage(), e);
    }
    ProcessRunner.check(List.of(Tool.SSH_KEYGEN.path(), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f",
        privateKey.toString()));
  }

  static Path publicKeyOf(Path privateKey) {
    return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
  }

  /** {@code ssh-ed25519 AAAA...}: a public key file's type and key, without its comment. */
  static String publicKey(Path privateKey) {
    try {
      String[] parts = Files.readString(publicKeyOf(privateKey)).strip().split("\\s+");
      return parts[0] + " " + parts[1];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      throw new LabException("cannot read the public key " + publicKeyOf(privateKey) + ": " + e.getMessage(), e);
    }
  }

  /**
   * A lab host's sshd_config: key-only root logins on the management address, enough sessions and unauthenticated
   * connections for a parallel engine, no PAM, no DNS, and {@code SHLVL=1} so that bash does not read root's
   * {@code .bashrc} for every command (a heavy one slows every login down).
   */
  static String sshdConfig(String address) {
    return String.join("\n",
        "# written by converge's lab; sshd runs as the host's PID 1",
        "ListenAddress " + address,
        "Port " + PORT,
        "HostKey " + HOST_CONFIG_DIR + "/ssh_host_ed25519_key",
        "AuthorizedKeysFile " + HOST_CONFIG_DIR + "/authorized_keys",
        "PidFile /run/sshd.pid",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "UseDNS no",
        "PrintMotd no",
        "PrintLastLog no",
        "MaxSessions 10",
        "MaxStartups 100:30:200",
        "AllowTcpForwarding yes",
        "SetEnv SHLVL=1",
        "Subsystem sftp internal-sftp",
        "");
  }

  /** known_hosts: one line per host, under its name and its address ({@code name,address ssh-ed25519 AAAA...}). */
  static String knownHosts(Map<String, String> addressByHost, Map<String, String> publicKeyByHost) {
    StringBuilder sb = new StringBuilder();
    addressByHost.forEach((host, address) ->
        sb.append(host).append(',').append(address).append(' ').append(publicKeyByHost.get(host)).append('\n'));
    return sb.toString();
  }

  /** An OpenSSH client configuration: {@code ssh -F THIS HOST} logs into a lab host with strict host keys. */
  static String clientConfig(Map<String, String> addressByHost, Path identity, Path knownHosts) {
    StringBuilder sb = new StringBuilder("# converge lab hosts, for ssh -F <this file> HOST\n");
    addressByHost.forEach((host, address) -> sb
        .append("Host ").append(host).append('\n')
        .append("  HostName ").append(address).append('\n')
        .append("  Port ").append(PORT).append('\n')
        .append("  User ").append(USER).append('\n')
        .append("  IdentityFile ").append(quoted(identity)).append('\n')
        .append("  IdentitiesOnly yes\n")
        .append("  UserKnownHostsFile ").append(quoted(knownHosts)).append('\n')
        .append("  StrictHostKeyChecking yes\n")
        .append("  BatchMode yes\n"));
    return sb.toString();
  }

  /** ssh_config takes a path with spaces in double quotes. */
  private static String quoted(Path path) {
    String p = path.toString();
    return p.contains(" ") ? "\"" + p + "\"" : p;
  }
}

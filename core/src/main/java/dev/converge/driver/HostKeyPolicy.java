package dev.converge.driver;

/** What an SSH transport does with a host key that is not in known_hosts (a changed key is always refused). */
public enum HostKeyPolicy {
  /** Refuse unknown keys, like OpenSSH's {@code StrictHostKeyChecking yes}. The default. */
  STRICT,
  /** Record an unknown key and proceed, like OpenSSH's {@code accept-new}. */
  ACCEPT_NEW
}

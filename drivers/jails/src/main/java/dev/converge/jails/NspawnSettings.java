package dev.converge.jails;

import java.util.Optional;

/**
 * The settings file {@code /etc/systemd/nspawn/NAME.nspawn} of a jail with runtime {@code nspawn}, from which
 * systemd-nspawn takes the command, hostname and binds ({@code --settings=trusted}); the network namespace is given
 * on its command line, since the contract's veth layout is converge's own. On a host whose init is systemd the jail
 * is also a unit, {@code systemd-nspawn@NAME.service}, with the drop-in {@link #unit} renders: systemd keeps it
 * running and machined knows it ({@code machinectl status NAME}, {@code machinectl shell NAME}).
 */
final class NspawnSettings {

  static final String DIRECTORY = "/etc/systemd/nspawn";

  private NspawnSettings() {}

  static String path(String jail) {
    return DIRECTORY + "/" + jail + ".nspawn";
  }

  /**
   * The text of {@code /etc/systemd/system/systemd-nspawn@NAME.service.d/converge.conf}: the stock unit's command
   * line (which boots an init with a private veth and user namespace) replaced by converge's — no boot, the jail's
   * own network namespace, the settings file trusted, registered with machined — and a restart when the start
   * command fails.
   */
  static String unit(JailSettings jail) {
    String name = jail.name();
    return "# written by converge for jail " + name + "\n"
        + "[Unit]\nDescription=converge jail " + name + "\n\n"
        + "[Service]\nExecStart=\n"
        + "ExecStart=systemd-nspawn --quiet --keep-unit --register=yes --machine=" + name + " --settings=trusted"
        + " --directory=" + jail.root() + " --network-namespace-path=/run/netns/cj-" + name + "\n"
        + "Restart=on-failure\nRestartSec=1s\n";
  }

  /**
   * The file's text.
   *
   * @throws IllegalArgumentException when the start command cannot be written as one quoted word of
   *     {@code Parameters=} (a backslash, a line break, or both kinds of quote)
   */
  static String render(JailSettings jail) {
    StringBuilder s = new StringBuilder("# written by converge for jail ").append(jail.name()).append('\n');
    s.append("[Exec]\nBoot=no\n");
    jail.start().ifPresent(start -> s.append("Parameters=/bin/sh -c ").append(quoted(start)).append('\n'));
    s.append("Hostname=").append(jail.hostname()).append('\n');
    if (!jail.mounts().isEmpty()) {
      s.append("\n[Files]\n");
      for (JailSettings.Mount m : jail.mounts()) {
        s.append(m.readOnly() ? "BindReadOnly=" : "Bind=").append(m.source()).append(':').append(m.target())
            .append('\n');
      }
    }
    return s.toString();
  }

  private static String quoted(String start) {
    if (start.contains("\\") || start.contains("\n") || start.contains("\r")) {
      throw new IllegalArgumentException("`start` `" + start + "` has a backslash or line break, which a"
          + " systemd-nspawn settings file cannot carry; use runtime netns");
    }
    return Optional.of(start).filter(s -> !s.contains("\"")).map(s -> "\"" + s + "\"")
        .or(() -> Optional.of(start).filter(s -> !s.contains("'")).map(s -> "'" + s + "'"))
        .orElseThrow(() -> new IllegalArgumentException("`start` `" + start + "` has both kinds of quote, which a"
            + " systemd-nspawn settings file cannot carry; use runtime netns"));
  }
}

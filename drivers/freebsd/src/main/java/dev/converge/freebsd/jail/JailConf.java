package dev.converge.freebsd.jail;

import dev.converge.driver.Command;
import dev.converge.freebsd.jail.JailSettings.Mount;
import dev.converge.freebsd.jail.JailSettings.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * The files jail(8) reads for one jail: {@code /etc/jail.conf.d/NAME.conf} and, for mounts, {@code /etc/fstab.NAME}.
 *
 * <p>Every jail is {@code persist}: a jail without it is destroyed by the kernel when its last process exits, which
 * leaves jail(8)'s interface alias and mounts behind and makes the next {@code service jail start} fail on them. The
 * start command runs under daemon(8), which detaches it (exec.start must return) and records its pid, so a probe can
 * tell a dead start command from a live one.
 *
 * <p>Loopback networks: {@code ip4.addr = "IFACE|ADDRESS/32"}, so jail(8) adds the alias when the jail starts and
 * removes it when it stops; the interface driver never manages jail addresses. Bridge networks: a vnet jail with an
 * epair whose {@code a} end joins the bridge and whose {@code b} end moves into the jail. The epair's unit is the low
 * 15 bits of the jail's address ({@link #epairUnit}), unique among the jails of one bridge network, fixed across
 * restarts, and computable from the properties alone.
 */
final class JailConf {

  static final String CONF_DIRECTORY = "/etc/jail.conf.d";
  /** Inside the jail: the pid of the start command, written by daemon(8). */
  static final String START_PIDFILE = "/var/run/converge-start.pid";
  /** Inside the jail: the start command's output. */
  static final String START_LOG = "/var/log/converge-start.log";
  /** devfs(8) ruleset 4, {@code devfsrules_jail}: the devices a jail may see. */
  static final int DEVFS_RULESET = 4;
  private static final int MAX_EPAIR_UNIT = 0x7fff;

  private JailConf() {}

  static String confPath(String jail) {
    return CONF_DIRECTORY + "/" + jail + ".conf";
  }

  static String fstabPath(String jail) {
    return "/etc/fstab." + jail;
  }

  /** The epair unit of a jail on a bridge network: {@code epairNa} joins the bridge, {@code epairNb} is the jail's. */
  static int epairUnit(String address) {
    String[] o = address.split("\\.");
    return ((Integer.parseInt(o[2]) << 8) | Integer.parseInt(o[3])) & MAX_EPAIR_UNIT;
  }

  /** The jail.conf(5) text of {@code s}. */
  static String render(JailSettings s) {
    List<String> lines = new ArrayList<>();
    lines.add("# Written by converge for jail `" + s.name() + "`; converge replaces any change.");
    lines.add(s.name() + " {");
    param(lines, "path", s.root());
    param(lines, "host.hostname", s.hostname());
    Network n = s.network();
    List<String> start = new ArrayList<>();
    if (n.kind() == Network.Kind.LOOPBACK) {
      param(lines, "ip4.addr", n.iface() + "|" + n.address() + "/" + n.prefix());
    } else {
      String epair = "epair" + epairUnit(n.address());
      lines.add("  vnet;");
      param(lines, "vnet.interface", epair + "b");
      param(lines, "exec.prestart", "/sbin/ifconfig " + epair + " create up");
      append(lines, "exec.prestart", "/sbin/ifconfig " + n.iface() + " addm " + epair + "a up");
      param(lines, "exec.poststop", "/sbin/ifconfig " + epair + "a destroy");
      start.add("/sbin/ifconfig lo0 inet 127.0.0.1/8 up");
      start.add("/sbin/ifconfig " + epair + "b inet " + n.address() + "/" + n.prefix() + " up");
      start.add("/sbin/route add default " + n.gateway());
    }
    lines.add("  mount.devfs;");
    lines.add("  devfs_ruleset = " + DEVFS_RULESET + ";");
    if (!s.mounts().isEmpty()) {
      param(lines, "mount.fstab", fstabPath(s.name()));
    }
    lines.add("  exec.clean;");
    lines.add("  persist;");
    s.start().ifPresent(command -> start.add("/usr/sbin/daemon -f -p " + START_PIDFILE + " -o " + START_LOG
        + " /bin/sh -c " + Command.quote(command)));
    for (int i = 0; i < start.size(); i++) {
      if (i == 0) {
        param(lines, "exec.start", start.get(i));
      } else {
        append(lines, "exec.start", start.get(i));
      }
    }
    lines.add("}");
    return String.join("\n", lines) + "\n";
  }

  /** The fstab(5) of the jail's nullfs mounts, targets below its root; empty without mounts. */
  static String fstab(JailSettings s) {
    StringBuilder b = new StringBuilder();
    for (Mount m : s.mounts()) {
      b.append(m.source()).append(' ').append(s.root()).append(m.target()).append(" nullfs ")
          .append(m.readOnly() ? "ro" : "rw").append(" 0 0\n");
    }
    return b.toString();
  }

  /**
   * {@code value} as a jail.conf double-quoted string: {@code \}, {@code "} and {@code $} (which would start a
   * variable) escaped with a backslash, as jail(8)'s lexer reads them.
   *
   * @throws IllegalArgumentException for a line break or other control character, which jail.conf cannot carry
   *     safely (the settings never contain one)
   */
  static String quote(String value) {
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("a jail.conf value cannot contain control characters: "
          + value.replace("\n", "\\n"));
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"";
  }

  private static void param(List<String> lines, String name, String value) {
    lines.add("  " + name + " = " + quote(value) + ";");
  }

  private static void append(List<String> lines, String name, String value) {
    lines.add("  " + name + " += " + quote(value) + ";");
  }
}

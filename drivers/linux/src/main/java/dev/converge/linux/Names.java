package dev.converge.linux;

import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.resource.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a name of each kind may look like on a Debian host. Names reach commands only as separate arguments, but a
 * name that starts with {@code -} would still read as an option, and one with {@code /} or {@code ..} would escape the
 * directory a file is made in: these patterns rule both out, and say what is expected when they refuse.
 */
enum Names {
  /** RFC 1123 labels joined by dots. */
  HOSTNAME("a host name (letters, digits and `-` in dot-separated labels of at most 63 characters)",
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"),
  /** Dotted, as {@code sysctl -a} prints them. */
  SYSCTL_KEY("a dotted sysctl key such as net.ipv4.ip_forward",
      "[A-Za-z0-9_]([A-Za-z0-9_-]*)(\\.[A-Za-z0-9_-]+)*"),
  /** apt reads only sources.list.d files named with these characters. */
  REPOSITORY("a repository name (letters, digits, `_`, `-`)", "[A-Za-z0-9][A-Za-z0-9_-]{0,63}"),
  /** Debian policy 5.6.1, with an optional architecture qualifier. */
  PACKAGE("a Debian package name (lower-case letters, digits, `+`, `-`, `.`; optionally `:ARCH`)",
      "[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?"),
  /** What useradd accepts by default (NAME_REGEX of adduser.conf, without its leniency). */
  ACCOUNT("a user or group name (lower-case letters, digits, `_`, `-`, starting with a letter or `_`)",
      "[a-z_][a-z0-9_-]{0,31}"),
  /** Linux IFNAMSIZ: at most 15 characters, none of them `/`, `:` or whitespace. */
  INTERFACE("an interface name (at most 15 letters, digits, `_`, `-`, `.`)", "[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}"),
  /** A spec network's name, as the loader accepts it; it ends up in an nftables rule comment. */
  NETWORK("a network name (letters, digits, `_`, `-`)", "[A-Za-z0-9][A-Za-z0-9_-]{0,62}"),
  /** A systemd unit or SysV init script name. */
  SERVICE("a service name (letters, digits, `_`, `-`, `.`, `@`, `:`)", "[A-Za-z0-9_][A-Za-z0-9_.@:-]{0,127}");

  private final String expected;
  private final Pattern pattern;

  Names(String expected, String regex) {
    this.expected = expected;
    this.pattern = Pattern.compile(regex);
  }

  /**
   * {@code name}, if it is valid.
   *
   * @throws IllegalArgumentException naming the resource and what is expected
   */
  String require(String name, String what) {
    if (!pattern.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException(what + ": `" + name + "` is not " + expected);
    }
    return name;
  }

  /**
   * The names of {@code batch}, each checked: what a probe passes to its script. A name that is not valid fails the
   * probe, naming {@code kind} and the host.
   */
  List<String> requireAll(List<Resource> batch, String kind, Target target) throws ProbeException {
    List<String> names = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      try {
        names.add(require(r.id().name(), kind + " on " + target.name()));
      } catch (IllegalArgumentException e) {
        throw new ProbeException(e.getMessage(), e);
      }
    }
    return names;
  }
}

package dev.converge.freebsd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One interface as {@code ifconfig IF} prints it (ifconfig has no machine-readable output, driver-facts §2): whether
 * it is up, its interface groups ({@code groups: lo}, the cloner's name for cloned interfaces) and its IPv4 addresses, from lines
 * {@code inet A netmask 0xM [broadcast B] [vhid N]}, {@code inet A --> B netmask 0xM} (point-to-point) or the
 * {@code -f inet:cidr} forms {@code inet A/N} and {@code inet A --> B/N} (sbin/ifconfig/af_inet.c).
 */
record IfconfigStatus(boolean up, List<String> groups, List<InterfaceAddress> addresses) {

  /** The flags of the first line, {@code lo1: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384}. */
  private static final Pattern UP = Pattern.compile("[^:]+: flags=[0-9a-fA-F]+<(?:[A-Z0-9_]+,)*UP[,>].*");

  IfconfigStatus {
    groups = List.copyOf(groups);
    addresses = List.copyOf(addresses);
  }

  static IfconfigStatus parse(List<String> lines) {
    boolean up = !lines.isEmpty() && UP.matcher(lines.get(0)).matches();
    List<String> groups = new ArrayList<>();
    List<InterfaceAddress> addresses = new ArrayList<>();
    for (String line : lines) {
      List<String> words = Arrays.asList(line.strip().split("\\s+"));
      if (words.get(0).equals("groups:")) {
        groups.addAll(words.subList(1, words.size()));
      } else if (words.get(0).equals("inet") && words.size() > 1) {
        inet(words).ifPresent(addresses::add);
      }
    }
    return new IfconfigStatus(up, groups, addresses);
  }

  /** An {@code inet} line's address; the prefix is the one printed after it or after the peer's address. */
  private static Optional<InterfaceAddress> inet(List<String> words) {
    String local = words.get(1);
    int next = 2;
    String last = local;
    if (words.size() > 3 && words.get(2).equals("-->")) {
      last = words.get(3);
      next = 4;
    }
    int slash = last.indexOf('/');
    if (slash >= 0) {
      String host = local.equals(last) ? local.substring(0, slash) : local;
      return InterfaceAddress.prefixOf(last.substring(slash + 1))
          .flatMap(p -> InterfaceAddress.ipv4(host).map(ip -> new InterfaceAddress(ip, p)));
    }
    if (words.size() > next + 1 && words.get(next).equals("netmask")) {
      return InterfaceAddress.withMask(local, words.get(next + 1));
    }
    return Optional.empty();
  }

  /** The interface's kind as converge names it: a cloned loopback, a bridge, or anything else (a link). */
  String type() {
    if (groups.contains("lo")) {
      return InterfaceDriver.LOOPBACK;
    }
    return groups.contains("bridge") ? InterfaceDriver.BRIDGE : InterfaceDriver.LINK;
  }
}

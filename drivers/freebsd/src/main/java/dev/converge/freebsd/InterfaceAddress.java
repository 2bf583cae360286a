package dev.converge.freebsd;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Optional;

/**
 * An IPv4 address as an interface holds it: the address with the prefix length of its subnet
 * ({@code 172.16.2.1/30}), host bits allowed, unlike a {@link Cidr}.
 */
record InterfaceAddress(InetAddress ip, int prefix) {

  InterfaceAddress {
    if (!(ip instanceof Inet4Address)) {
      throw new IllegalArgumentException(ip.getHostAddress() + " is not an IPv4 address");
    }
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix /" + prefix + " out of range");
    }
  }

  /**
   * Parses {@code a.b.c.d/n}.
   *
   * @throws IllegalArgumentException naming the text and what is expected
   */
  static InterfaceAddress parse(String text) {
    int slash = text.indexOf('/');
    Optional<InterfaceAddress> parsed = slash < 0 ? Optional.empty()
        : ipv4(text.substring(0, slash)).flatMap(ip -> prefixOf(text.substring(slash + 1)).map(p ->
            new InterfaceAddress(ip, p)));
    return parsed.orElseThrow(() -> new IllegalArgumentException("`" + text
        + "` is not an IPv4 address with a prefix length (expected a.b.c.d/n, e.g. 172.16.2.1/30)"));
  }

  /** The address {@code ip} with a netmask as ifconfig prints it ({@code 0xfffffffc}) or dotted. */
  static Optional<InterfaceAddress> withMask(String ip, String mask) {
    return ipv4(ip).flatMap(a -> maskLength(mask).map(p -> new InterfaceAddress(a, p)));
  }

  /** An IPv4 literal, never a name (no DNS lookup). */
  static Optional<InetAddress> ipv4(String text) {
    if (!text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || !InetAddresses.isInetAddress(text)) {
      return Optional.empty();
    }
    return Optional.of(InetAddresses.forString(text));
  }

  static Optional<Integer> prefixOf(String text) {
    if (!text.matches("[0-9]{1,2}")) {
      return Optional.empty();
    }
    int p = Integer.parseInt(text);
    return p <= 32 ? Optional.of(p) : Optional.empty();
  }

  /** The length of a contiguous netmask in hex ({@code 0xffffff00}) or dotted form; empty for anything else. */
  static Optional<Integer> maskLength(String mask) {
    long bits;
    if (mask.matches("0x[0-9a-fA-F]{1,8}")) {
      bits = Long.parseLong(mask.substring(2), 16);
    } else {
      Optional<InetAddress> dotted = ipv4(mask);
      if (dotted.isEmpty()) {
        return Optional.empty();
      }
      bits = Integer.toUnsignedLong(InetAddresses.coerceToInteger(dotted.get()));
    }
    int length = Long.bitCount(bits);
    long contiguous = length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
    return bits == contiguous ? Optional.of(length) : Optional.empty();
  }

  /** The address without prefix, as {@code ifconfig IF inet ADDRESS -alias} takes it. */
  String host() {
    return InetAddresses.toAddrString(ip);
  }

  boolean within(Collection<Cidr> prefixes) {
    return prefixes.stream().anyMatch(c -> c.contains(ip));
  }

  @Override
  public String toString() {
    return host() + "/" + prefix;
  }
}

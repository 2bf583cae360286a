package dev.converge.dns;

import com.google.common.net.InetAddresses;
import java.util.Objects;

/**
 * Where a DNS server listens, as the host that connects to it sees it: {@code 127.0.0.1:53}, {@code [::1]:53}.
 *
 * @param address an IPv4 or IPv6 literal (no brackets)
 * @param port the TCP port
 */
public record DnsServer(String address, int port) {

  public DnsServer {
    Objects.requireNonNull(address, "address");
    if (!InetAddresses.isInetAddress(address)) {
      throw new IllegalArgumentException("DNS server address `" + address + "` is not an IP address");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("DNS server port " + port + " is not in 1..65535");
    }
  }

  /** Reads {@code ADDR:PORT} or {@code [V6]:PORT}. */
  public static DnsServer parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("DNS server `" + text + "` is not ADDR:PORT or [V6]:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("DNS server `" + text + "`: write an IPv6 address as [V6]:PORT");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("DNS server `" + text + "`: port is not a number");
    }
    return new DnsServer(host, port);
  }

  @Override
  public String toString() {
    return address.contains(":") ? "[" + address + "]:" + port : address + ":" + port;
  }
}

package dev.converge.spec;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix such as {@code 172.16.3.0/24}, always in its normalised form (host bits zero). Parsing
 * never touches DNS: only literals are accepted.
 */
public record Cidr(InetAddress network, int prefix) {

  public Cidr {
    Objects.requireNonNull(network, "network");
    int bits = bits(network);
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + network.getHostAddress());
    }
    if (!mask(network, prefix).equals(network)) {
      throw new IllegalArgumentException(network.getHostAddress() + "/" + prefix + " has host bits set (network is "
          + mask(network, prefix).getHostAddress() + "/" + prefix + ")");
    }
  }

  /**
   * Parses {@code a.b.c.d/n} or an IPv6 prefix.
   *
   * @throws IllegalArgumentException with a message fit for the user (what was wrong, what is expected)
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("`" + text + "` is not a CIDR: expected address/prefix, e.g. 10.0.0.0/24");
    }
    InetAddress addr = address(text.substring(0, slash));
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("`" + text + "` has no numeric prefix length after `/`");
    }
    return new Cidr(addr, prefix);
  }

  /** Parses an IP literal (never a name: no DNS lookup). */
  public static InetAddress address(String text) {
    if (!InetAddresses.isInetAddress(text)) {
      throw new IllegalArgumentException("`" + text + "` is not an IP address");
    }
    return InetAddresses.forString(text);
  }

  /** The single-address prefix ({@code /32} or {@code /128}) of {@code address}. */
  public static Cidr host(InetAddress address) {
    return new Cidr(address, bits(address));
  }

  public boolean isIpv4() {
    return network instanceof Inet4Address;
  }

  public boolean contains(InetAddress address) {
    return bits(address) == bits(network) && mask(address, prefix).equals(network);
  }

  public boolean overlaps(Cidr other) {
    return bits(network) == bits(other.network)
        && (contains(other.network) || other.contains(network));
  }

  /** Number of addresses in the prefix (may be huge for IPv6). */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits(network) - prefix);
  }

  /** The address at {@code offset} from the network address. */
  public InetAddress addressAt(BigInteger offset) {
    if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
      throw new IllegalArgumentException("offset " + offset + " outside " + this);
    }
    BigInteger n = new BigInteger(1, network.getAddress()).add(offset);
    return fromBigInteger(n, bits(network) / 8);
  }

  /** The offset of {@code address} from the network address. */
  public BigInteger offsetOf(InetAddress address) {
    return new BigInteger(1, address.getAddress()).subtract(new BigInteger(1, network.getAddress()));
  }

  @Override
  public String toString() {
    return InetAddresses.toAddrString(network) + "/" + prefix;
  }

  static int bits(InetAddress a) {
    return a.getAddress().length * 8;
  }

  private static InetAddress mask(InetAddress a, int prefix) {
    byte[] b = a.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] = (byte) (b[i] & (0xff << (8 - keep)));
    }
    return byAddress(b);
  }

  private static InetAddress fromBigInteger(BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    byte[] b = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, b, length - copy, copy);
    return byAddress(b);
  }

  /** Raw bytes to an address; never a DNS lookup (no host name is given). */
  private static InetAddress byAddress(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("address of " + b.length + " bytes", e);
    }
  }
}

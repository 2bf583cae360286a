package dev.converge.linux;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An address on an interface with its prefix length, {@code 172.16.2.1/30}: unlike a {@link Cidr}, its host bits are
 * what matter. Parsing never touches DNS.
 */
record InterfaceAddress(InetAddress address, int prefix) {

  InterfaceAddress {
    int bits = address instanceof Inet4Address ? 32 : 128;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + address.getHostAddress());
    }
  }

  /**
   * Parses {@code ADDRESS/PREFIX}.
   *
   * @throws IllegalArgumentException saying what was found and what is expected
   */
  static InterfaceAddress parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    if (slash < 0 || !InetAddresses.isInetAddress(address) || !text.substring(slash + 1).matches("[0-9]{1,3}")) {
      throw new IllegalArgumentException("`" + text + "` is not an address with a prefix length such as"
          + " 172.16.2.1/30");
    }
    return new InterfaceAddress(InetAddresses.forString(address), Integer.parseInt(text.substring(slash + 1)));
  }

  boolean within(Cidr prefix) {
    return prefix.contains(address);
  }

  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefix;
  }
}

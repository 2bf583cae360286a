package dev.converge.dns.record;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.util.stream.Collectors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/**
 * The contract's canonical RDATA text: dnsjava's presentation form with absolute names, except AAAA, which dnsjava
 * prints uncompressed and the contract wants in RFC 5952 form ({@code 2001:db8::1}), and TXT, which dnsjava quotes
 * only when a string needs it and the contract always ({@code "v=spf1" "-all"}).
 */
final class Rdata {

  private Rdata() {}

  static String text(Record r) {
    if (r instanceof AAAARecord a) {
      return InetAddresses.toAddrString(a.getAddress());
    }
    if (r instanceof TXTRecord t) {
      return t.getStringsAsByteArrays().stream().map(Rdata::quoted).collect(Collectors.joining(" "));
    }
    return r.rdataToString();
  }

  /** One character-string: {@code "} and {@code \} escaped, bytes outside printable ASCII as {@code \DDD}. */
  private static String quoted(byte[] string) {
    StringBuilder b = new StringBuilder("\"");
    for (byte x : string) {
      int c = x & 0xff;
      if (c == '"' || c == '\\') {
        b.append('\\').append((char) c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\%03d", c));
      } else {
        b.append((char) c);
      }
    }
    return b.append('"').toString();
  }

  /** The record {@code value} of {@code rrset} with {@code ttl}; TTL 0 is what RFC 2136 prerequisites carry. */
  static Record parse(RRsetId rrset, long ttl, String value) {
    try {
      return Record.fromString(rrset.name(), rrset.type(), DClass.IN, ttl, value, Name.root);
    } catch (IOException e) {
      throw new IllegalArgumentException(rrset + ": value `" + value + "` is not valid RDATA: " + e.getMessage());
    }
  }
}

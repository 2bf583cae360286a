package dev.converge.dns.bind;

import dev.converge.dns.TsigKeyFile;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.util.Optional;
import java.util.regex.Pattern;
import org.xbill.DNS.Address;

/**
 * A desired {@code dns-zone}, checked: what converge writes for it on the server.
 *
 * @param zone the zone name, lower case, without the final dot
 * @param key the TSIG key that may update and transfer the zone
 * @param ttl the default TTL of the initial zone file (SOA, NS, the name server's address)
 * @param nameserver the address {@code ns.ZONE.} gets in the initial zone file
 */
record ServedZone(String zone, TsigKeyFile key, long ttl, String nameserver) {

  static final String ZONE = "zone";
  static final String KEY = "key";
  static final String TTL = "ttl";
  static final String NAMESERVER = "nameserver";

  /** Lower-case labels of letters, digits, {@code -} and {@code _}: safe in file names and named.conf strings. */
  private static final Pattern ZONE_NAME =
      Pattern.compile("(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
  private static final long MAX_TTL = 0x7fffffffL;

  /**
   * The zone a resource describes.
   *
   * @throws IllegalArgumentException naming the resource and the field that is wrong, never quoting the key
   */
  static ServedZone of(Resource resource) {
    String what = resource.id().toString();
    String zone = requireZoneName(resource.id().name(), what);
    Properties p = resource.properties();
    String declared = p.string(ZONE).orElse(zone);
    if (!declared.equals(zone)) {
      throw new IllegalArgumentException(what + ": `zone` is " + declared + " but the resource names " + zone);
    }
    TsigKeyFile key = TsigKeyFile.parse(p.string(KEY).orElseThrow(() -> missing(what, KEY)),
        "the key of " + what);
    Object ttl = p.get(TTL).orElseThrow(() -> missing(what, TTL));
    if (!(ttl instanceof Long t) || t < 1 || t > MAX_TTL) {
      throw new IllegalArgumentException(what + ": `ttl` must be a number of seconds from 1 to " + MAX_TTL
          + ", found " + ttl);
    }
    String nameserver = p.string(NAMESERVER).orElseThrow(() -> missing(what, NAMESERVER));
    if (family(nameserver).isEmpty()) {
      throw new IllegalArgumentException(what + ": `nameserver` must be an IPv4 or IPv6 address, found `"
          + nameserver + "`");
    }
    return new ServedZone(zone, key, t, nameserver);
  }

  /** {@code name} if it is a zone name converge may put in paths and named.conf. */
  static String requireZoneName(String name, String what) {
    if (!ZONE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + ": `" + name + "` is not a lower-case DNS zone name without the"
          + " final dot (letters, digits, `-`, `_` in dot-separated labels)");
    }
    return name;
  }

  /**
   * The zone file named starts from: SOA and NS naming {@code ns.ZONE.}, its address, nothing else. Written once;
   * from then on only dynamic updates change the zone (named keeps the file and its journal).
   */
  String initialZoneFile() {
    String origin = zone + ".";
    String type = family(nameserver).orElseThrow() == Address.IPv4 ? "A" : "AAAA";
    return "; Written once by converge; named maintains this zone from dynamic updates.\n"
        + "$ORIGIN " + origin + "\n"
        + "$TTL " + ttl + "\n"
        + "@\tIN\tSOA\tns." + origin + " hostmaster." + origin + " 1 3600 900 1209600 " + ttl + "\n"
        + "@\tIN\tNS\tns." + origin + "\n"
        + "ns\tIN\t" + type + "\t" + nameserver + "\n";
  }

  private static Optional<Integer> family(String address) {
    if (Address.isDottedQuad(address)) {
      return Optional.of(Address.IPv4);
    }
    return address.contains(":") && Address.toByteArray(address, Address.IPv6) != null
        ? Optional.of(Address.IPv6) : Optional.empty();
  }

  private static IllegalArgumentException missing(String what, String field) {
    return new IllegalArgumentException(what + ": `" + field + "` is missing");
  }
}

package dev.converge.dns.record;

import dev.converge.dns.DnsServer;
import dev.converge.dns.TsigKeyFile;
import dev.converge.resource.Properties;
import java.util.regex.Pattern;

/**
 * How one zone is reached: its name, the server as the target host sees it and the key, read from a resource's
 * (or an observation's) {@code zone}, {@code server} and {@code key}. Never shows the secret.
 *
 * @param properties the properties it was read from, whose {@code zone}, {@code server} and {@code key} an
 *     observation echoes
 */
record ZoneAccess(String zone, DnsServer server, TsigKeyFile key, Properties properties) {

  private static final Pattern ZONE = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,62}(\\.[a-z0-9_][a-z0-9_-]{0,62})*");

  static ZoneAccess of(Properties p, String what) {
    String zone = p.string("zone").orElseThrow(() -> new IllegalArgumentException(what + ": no `zone`"));
    String server = p.string("server").orElseThrow(() -> new IllegalArgumentException(what + ": no `server`"));
    String key = p.string("key").orElseThrow(() -> new IllegalArgumentException(what + ": no `key`"));
    if (!ZONE.matcher(zone).matches()) {
      throw new IllegalArgumentException(what + ": zone `" + zone + "` is not a lower-case DNS name without the"
          + " final dot");
    }
    DnsServer parsed;
    try {
      parsed = DnsServer.parse(server);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
    return new ZoneAccess(zone, parsed, TsigKeyFile.parse(key, "the key of zone " + zone), p);
  }

  /** Same zone, server and key: one AXFR and one series of updates serve all. */
  boolean sameAs(ZoneAccess o) {
    return zone.equals(o.zone) && server.equals(o.server) && key.equals(o.key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ZoneAccess z && sameAs(z);
  }

  @Override
  public int hashCode() {
    return zone.hashCode() * 31 + server.hashCode();
  }

  @Override
  public String toString() {
    return "zone " + zone + " on " + server + " (key " + key.name() + ")";
  }
}

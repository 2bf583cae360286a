package dev.converge.dns.record;

import dev.converge.resource.ResourceId;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The RRset a {@code dns-record} resource stands for, read from its name {@code OWNER/TYPE}
 * ({@code www.my.domain/A}).
 *
 * @param owner the absolute owner name, lower case, without the final dot
 * @param type the dnsjava type code
 */
record RRsetId(String owner, int type) {

  /** What converge keeps; SOA and NS belong to the zone itself and are never touched. */
  static final Set<Integer> TYPES = Set.of(Type.A, Type.AAAA, Type.CNAME, Type.TXT, Type.MX, Type.SRV, Type.PTR);

  static RRsetId of(ResourceId id) {
    int slash = id.name().lastIndexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException(id + ": name `" + id.name() + "` is not OWNER/TYPE (e.g. www.my.domain/A)");
    }
    String owner = id.name().substring(0, slash);
    String typeName = id.name().substring(slash + 1);
    int type = Type.value(typeName);
    if (type == Type.SOA || type == Type.NS) {
      throw new IllegalArgumentException(id + ": " + typeName + " records belong to the zone itself; converge never"
          + " changes them");
    }
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(id + ": record type `" + typeName + "` is not one converge keeps"
          + " (A, AAAA, CNAME, TXT, MX, SRV, PTR)");
    }
    if (!owner.equals(owner.toLowerCase(Locale.ROOT)) || owner.endsWith(".")) {
      throw new IllegalArgumentException(id + ": owner `" + owner + "` must be lower case, without the final dot");
    }
    try {
      Name.fromString(owner, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(id + ": owner `" + owner + "` is not a DNS name: " + e.getMessage());
    }
    return new RRsetId(owner, type);
  }

  Name name() {
    try {
      return Name.fromString(owner, Name.root);
    } catch (TextParseException e) {
      throw new IllegalStateException("checked in of()", e);
    }
  }

  boolean isIn(String zone) {
    return owner.equals(zone) || owner.endsWith("." + zone);
  }

  @Override
  public String toString() {
    return owner + " " + Type.string(type);
  }
}

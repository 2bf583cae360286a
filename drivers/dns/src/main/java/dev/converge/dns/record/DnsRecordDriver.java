package dev.converge.dns.record;

import dev.converge.dns.DnsConnection;
import dev.converge.dns.DnsException;
import dev.converge.driver.ActionException;
import dev.converge.driver.Batching;
import dev.converge.driver.Driver;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Update;

/**
 * {@code dns-record/TARGET:OWNER/TYPE}: one RRset of a zone, kept by TSIG-signed RFC 2136 updates sent through the
 * target host's transport ({@link DnsConnection}).
 *
 * <p>Probe: one signed AXFR per zone of the batch. Apply: per zone, as few UPDATE messages as fit in
 * {@link #MESSAGE_BUDGET} bytes, each change guarded by a prerequisite taken from what the probe saw (RRset absent
 * for a create; RRset exactly as observed for an update or delete), so that a record changed by someone else since
 * the probe fails the update instead of being overwritten. Each message is atomic on the server; a failed one names
 * the RRsets that changed and which earlier changes took effect. SOA and NS are refused.
 *
 * <p>Thread-safe; {@link #updateMessagesSent()} counts the UPDATE messages sent since the driver was made.
 */
public final class DnsRecordDriver implements Driver, Batching {

  public static final String KIND = "dns-record";

  /**
   * The most bytes of records (uncompressed, an over-estimate) one UPDATE carries: half the 64 KiB a DNS message
   * over TCP can hold, leaving room for the header, the TSIG record and estimation error.
   */
  static final int MESSAGE_BUDGET = 32 * 1024;

  private static final Logger log = LoggerFactory.getLogger(DnsRecordDriver.class);

  private final AtomicLong updateMessages = new AtomicLong();

  @Override
  public String kind() {
    return KIND;
  }

  /** How many UPDATE messages this driver has sent (for tests and benchmarks). */
  public long updateMessagesSent() {
    return updateMessages.get();
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    Map<ZoneAccess, List<Resource>> byZone = new LinkedHashMap<>();
    List<Resource> absent = new ArrayList<>();
    try {
      for (Resource r : batch) {
        RRsetId rrset = RRsetId.of(r.id());
        if (!r.isPresent()) {
          absent.add(r);
          continue;
        }
        ZoneAccess zone = ZoneAccess.of(r.properties(), r.id().toString());
        if (!rrset.isIn(zone.zone())) {
          throw new IllegalArgumentException(r.id() + ": owner " + rrset.owner() + " is not in zone " + zone.zone());
        }
        byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(r);
      }
    } catch (IllegalArgumentException e) {
      throw new ProbeException(target.name() + ": " + e.getMessage());
    }
    Map<ResourceId, Observation> seen = new HashMap<>();
    for (Resource r : absent) {
      // A resource the spec dropped carries no properties: it is probed with the zone of the batch it belongs to.
      Optional<ZoneAccess> zone = zoneOf(RRsetId.of(r.id()), byZone.keySet());
      if (zone.isPresent()) {
        byZone.get(zone.get()).add(r);
      } else {
        log.warn("{}: no record of its zone left in the spec to say how to reach the server; treated as absent",
            r.id());
        seen.put(r.id(), Observation.absent(r.id()));
      }
    }
    for (Map.Entry<ZoneAccess, List<Resource>> e : byZone.entrySet()) {
      ZoneAccess zone = e.getKey();
      Map<RRsetId, List<Record>> contents;
      try {
        contents = transfer(target, zone);
      } catch (DnsException ex) {
        throw new ProbeException(target.name() + ": cannot read zone " + zone.zone() + ": " + ex.getMessage(), ex);
      }
      for (Resource r : e.getValue()) {
        seen.put(r.id(), observe(r.id(), zone, contents.get(RRsetId.of(r.id()))));
      }
    }
    return batch.stream().map(r -> seen.get(r.id())).toList();
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    applyAll(target, List.of(change));
  }

  @Override
  public void applyAll(Target target, List<Change> changes) throws ActionException {
    Map<ZoneAccess, List<Edit>> byZone = new LinkedHashMap<>();
    try {
      for (Change c : changes) {
        Optional<Edit> edit = Edit.of(c);
        if (edit.isPresent()) {
          byZone.computeIfAbsent(edit.get().zone(), z -> new ArrayList<>()).add(edit.get());
        }
      }
    } catch (IllegalArgumentException e) {
      throw new ActionException(target.name() + ": " + e.getMessage());
    }
    List<ResourceId> applied = new ArrayList<>();
    for (Map.Entry<ZoneAccess, List<Edit>> e : byZone.entrySet()) {
      update(target, e.getKey(), e.getValue(), applied);
    }
  }

  private void update(Target target, ZoneAccess zone, List<Edit> edits, List<ResourceId> applied)
      throws ActionException {
    List<List<Edit>> messages = pack(edits);
    log.debug("{}: {} changes in {} UPDATE messages", zone, edits.size(), messages.size());
    try (DnsConnection dns = connect(target, zone)) {
      for (List<Edit> message : messages) {
        Update update = new Update(zoneName(zone));
        message.forEach(edit -> edit.writeTo(update));
        updateMessages.incrementAndGet();
        Message response = dns.exchange(update);
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR) {
          throw new ActionException(target.name() + ": zone " + zone.zone() + " on " + dns.describe() + ": "
              + refusal(rcode, dns, zone, message) + tookEffect(applied));
        }
        message.forEach(edit -> applied.add(edit.id()));
      }
    } catch (DnsException ex) {
      throw new ActionException(target.name() + ": cannot update zone " + zone.zone() + ": " + ex.getMessage()
          + tookEffect(applied), ex);
    }
  }

  private static String refusal(int rcode, DnsConnection dns, ZoneAccess zone, List<Edit> message) {
    String name = Rcode.string(rcode);
    return switch (rcode) {
      case Rcode.REFUSED -> "the server REFUSED the update: key " + zone.key().name()
          + " may not update this zone (update-policy), the zone takes no updates, or a record fails BIND's"
          + " integrity checks (an MX target in the zone without an address: see named's log)";
      case Rcode.NOTAUTH -> "the server is not authoritative for the zone (NOTAUTH)";
      case Rcode.NXRRSET, Rcode.YXRRSET, Rcode.YXDOMAIN, Rcode.NXDOMAIN -> "changed by someone else since the probe ("
          + name + "): " + conflicts(dns, zone, message) + "; nothing of this update was applied";
      default -> "the server answered " + name + " to the update; nothing of it was applied";
    };
  }

  /** Re-reads the zone once to name the RRsets that no longer look as the probe saw them. */
  private static String conflicts(DnsConnection dns, ZoneAccess zone, List<Edit> message) {
    Map<RRsetId, List<Record>> now;
    try {
      now = index(dns.axfr(zoneName(zone)));
    } catch (DnsException e) {
      return "could not re-read the zone to say which RRset (" + e.getMessage() + ")";
    }
    List<String> changed = new ArrayList<>();
    for (Edit edit : message) {
      List<String> values = values(now.get(edit.rrset()));
      if (!values.equals(edit.observedValues())) {
        changed.add(edit.rrset() + " now " + (values.isEmpty() ? "absent"
            : String.join(", ", values) + " (ttl " + now.get(edit.rrset()).get(0).getTTL() + ")")
            + ", expected " + (edit.observedValues().isEmpty() ? "absent" : String.join(", ", edit.observedValues())));
      }
    }
    return changed.isEmpty() ? "a re-read shows no difference any more (changed back?)" : String.join("; ", changed);
  }

  private static String tookEffect(List<ResourceId> applied) {
    if (applied.isEmpty()) {
      return "";
    }
    String shown = applied.stream().limit(10).map(ResourceId::toString).collect(Collectors.joining(", "));
    return ". Already applied by earlier messages: " + applied.size() + " change(s): " + shown
        + (applied.size() > 10 ? ", …" : "");
  }

  /** Consecutive edits in messages of at most {@link #MESSAGE_BUDGET} bytes of records each. */
  static List<List<Edit>> pack(List<Edit> edits) {
    List<List<Edit>> messages = new ArrayList<>();
    List<Edit> current = new ArrayList<>();
    int size = 0;
    for (Edit edit : edits) {
      int bytes = edit.wireSize();
      if (!current.isEmpty() && size + bytes > MESSAGE_BUDGET) {
        messages.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(edit);
      size += bytes;
    }
    if (!current.isEmpty()) {
      messages.add(current);
    }
    return messages;
  }

  private static Optional<ZoneAccess> zoneOf(RRsetId rrset, Iterable<ZoneAccess> zones) {
    ZoneAccess best = null;
    for (ZoneAccess z : zones) {
      if (rrset.isIn(z.zone()) && (best == null || z.zone().length() > best.zone().length())) {
        best = z;
      }
    }
    return Optional.ofNullable(best);
  }

  private static Map<RRsetId, List<Record>> transfer(Target target, ZoneAccess zone) throws DnsException {
    try (DnsConnection dns = connect(target, zone)) {
      return index(dns.axfr(zoneName(zone)));
    }
  }

  private static DnsConnection connect(Target target, ZoneAccess zone) throws DnsException {
    try {
      return DnsConnection.open(target.transport(), zone.server(), zone.key());
    } catch (TransportException e) {
      throw new DnsException("DNS server " + zone.server() + " (key " + zone.key().name() + "): " + e.getMessage(),
          e);
    }
  }

  /** The transfer's RRsets converge may keep, by owner and type (SOA, NS and other types left out). */
  private static Map<RRsetId, List<Record>> index(List<Record> records) {
    Map<RRsetId, List<Record>> out = new HashMap<>();
    for (Record r : records) {
      if (RRsetId.TYPES.contains(r.getType())) {
        RRsetId id = new RRsetId(r.getName().toString(true).toLowerCase(Locale.ROOT), r.getType());
        out.computeIfAbsent(id, k -> new ArrayList<>()).add(r);
      }
    }
    return out;
  }

  private static Observation observe(ResourceId id, ZoneAccess zone, List<Record> rrset) {
    if (rrset == null) {
      return Observation.absent(id);
    }
    Properties echoed = zone.properties().only(Set.of("zone", "server", "key"));
    return Observation.present(id, echoed
        .with("ttl", rrset.get(0).getTTL())
        .with("values", values(rrset)));
  }

  static List<String> values(List<Record> rrset) {
    return rrset == null ? List.of() : rrset.stream().map(Rdata::text).distinct().sorted().toList();
  }

  private static Name zoneName(ZoneAccess zone) {
    try {
      return Name.fromString(zone.zone(), Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("zone `" + zone.zone() + "` is not a DNS name: " + e.getMessage());
    }
  }

  /**
   * One change as RFC 2136 sections: a prerequisite from what the probe saw, then the RRset replaced or deleted.
   *
   * @param observedValues the RRset as probed, empty when it was absent
   * @param desired the records wanted, empty for a delete
   */
  record Edit(ResourceId id, RRsetId rrset, ZoneAccess zone, List<String> observedValues, List<Record> desired) {

    /** Empty when there is nothing to do: the delete of an RRset already gone. */
    static Optional<Edit> of(Change change) {
      ResourceId id = change.id();
      RRsetId rrset = RRsetId.of(id);
      Optional<Properties> observed = change.observed().actual();
      List<String> observedValues = observed.map(p -> strings(p, id)).orElse(List.of());
      if (!change.desired().isPresent()) {
        if (observed.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(new Edit(id, rrset, ZoneAccess.of(observed.get(), id.toString()), observedValues,
            List.of()));
      }
      Properties p = change.desired().properties();
      ZoneAccess zone = ZoneAccess.of(p, id.toString());
      if (!rrset.isIn(zone.zone())) {
        throw new IllegalArgumentException(id + ": owner " + rrset.owner() + " is not in zone " + zone.zone());
      }
      long ttl = (Long) p.get("ttl").orElseThrow(() -> new IllegalArgumentException(id + ": no `ttl`"));
      List<String> values = strings(p, id);
      if (values.isEmpty()) {
        throw new IllegalArgumentException(id + ": `values` is empty; an RRset has at least one record");
      }
      return Optional.of(new Edit(id, rrset, zone, observedValues,
          values.stream().map(v -> Rdata.parse(rrset, ttl, v)).toList()));
    }

    private static List<String> strings(Properties p, ResourceId id) {
      Object v = p.get("values").orElseThrow(() -> new IllegalArgumentException(id + ": no `values`"));
      if (!(v instanceof List<?> list)) {
        throw new IllegalArgumentException(id + ": `values` is not a list");
      }
      return list.stream().map(String::valueOf).sorted(Comparator.naturalOrder()).toList();
    }

    void writeTo(Update update) {
      if (observedValues.isEmpty()) {
        update.absent(rrset.name(), rrset.type());
      } else {
        // RFC 2136 §2.4.2: the RRset must be exactly these records; prerequisites carry TTL 0.
        observedValues.forEach(v -> update.addRecord(Rdata.parse(rrset, 0, v), Section.PREREQ));
        update.delete(rrset.name(), rrset.type());
      }
      desired.forEach(update::add);
    }

    /** The uncompressed size of its records: an upper bound of what it adds to a message. */
    int wireSize() {
      int name = rrset.owner().length() + 2;
      int prerequisites = observedValues.isEmpty() ? name + 10
          : observedValues.stream().mapToInt(v -> Rdata.parse(rrset, 0, v).toWire(Section.UPDATE).length).sum()
              + name + 10;
      return prerequisites + desired.stream().mapToInt(r -> r.toWire(Section.UPDATE).length).sum();
    }
  }
}

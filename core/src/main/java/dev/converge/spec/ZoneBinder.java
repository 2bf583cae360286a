package dev.converge.spec;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Kind;
import dev.converge.spec.Sections.Named;
import dev.converge.spec.Zone.DnsRecord;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Binds {@code zones:}: where each zone is served, its key, and the records converge keeps in it. */
final class ZoneBinder {

  static final List<String> KEYS = List.of("server", "key", "ttl", "records", "register", "reverse");
  private static final List<String> RECORD_KEYS = List.of("name", "type", "value", "values", "ttl");
  private static final int DNS_PORT = 53;
  private static final Conversion<Long> TTL = Conversion.integer(0L, Integer.MAX_VALUE);
  private static final Conversion<String> TYPE = Conversion.oneOf("A", "AAAA", "CNAME", "TXT", "MX", "SRV", "PTR");
  private static final Pattern RELATIVE_NAME = Pattern.compile("(\\*|[A-Za-z0-9_-]{1,63})(\\.[A-Za-z0-9_-]{1,63})*");
  private static final Pattern V4_PORT = Pattern.compile("([0-9.]+):([0-9]{1,5})");
  private static final Pattern V6_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)]:([0-9]{1,5})");

  private final Binding b;

  ZoneBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Named named : b.sections.named(Kind.ZONE).values()) {
      MapReader.of(named.value(), "zone `" + named.name() + "`", named.at(), b.problems, KEYS)
          .ifPresent(r -> zone(named, r));
    }
  }

  /** Where a zone is served: a host or jail by name, or an address with an optional port. */
  private record Server(Optional<String> name, Optional<String> address, int port) {}

  private void zone(Named named, MapReader r) {
    Optional<Server> server = r.require("server", server());
    Optional<String> key = r.require("key", b.reference(Kind.SECRET));
    long ttl = r.get("ttl", TTL, 300L);
    List<DnsRecord> records = records(r);
    List<String> register = r.list("register", b.reference(Kind.NETWORK)).orElse(List.of());
    boolean reverse = r.get("reverse", Conversion.bool(), false);
    if (server.isPresent() && key.isPresent()) {
      b.zones.put(named.name(), new Zone(named.name(), named.at(), server.get().name(), server.get().address(),
          server.get().port(), key.get(), ttl, records, register, reverse));
    }
  }

  private Conversion<Server> server() {
    String expected = "a host or jail defined in the spec, or an address: IP, IP:port or [IPv6]:port";
    return Conversion.of(expected, text -> {
      if (b.names(Kind.HOST).contains(text) || b.names(Kind.JAIL).contains(text)) {
        return new Server(Optional.of(text), Optional.empty(), DNS_PORT);
      }
      if (InetAddresses.isInetAddress(text)) {
        return new Server(Optional.empty(), Optional.of(canonical(text)), DNS_PORT);
      }
      Optional<Server> withPort = withPort(V6_PORT.matcher(text), Conversion.ipv6())
          .or(() -> withPort(V4_PORT.matcher(text), Conversion.ipv4()));
      if (withPort.isPresent()) {
        if (withPort.get().port() < 1 || withPort.get().port() > 65535) {
          throw new Conversion.Invalid("found `" + text + "`, expected a port 1-65535");
        }
        return withPort.get();
      }
      Set<String> names = new TreeSet<>(b.names(Kind.HOST));
      names.addAll(b.names(Kind.JAIL));
      throw new Conversion.Invalid("found `" + text + "`, expected " + expected
          + Suggestions.didYouMean(text, names));
    });
  }

  private static Optional<Server> withPort(Matcher m, Conversion<InetAddress> family) {
    if (!m.matches() || !valid(family, m.group(1))) {
      return Optional.empty();
    }
    return Optional.of(new Server(Optional.empty(), Optional.of(canonical(m.group(1))),
        Integer.parseInt(m.group(2))));
  }

  private static List<DnsRecord> records(MapReader r) {
    Optional<ListNode> list = r.listNode("records", "a list of records such as {name: www, type: A, value:"
        + " 192.0.2.10}");
    List<DnsRecord> records = new ArrayList<>();
    Map<String, Location> seen = new HashMap<>();
    for (int i = 0; list.isPresent() && i < list.get().items().size(); i++) {
      Node item = list.get().items().get(i);
      r.item("records", i, item, RECORD_KEYS).flatMap(ZoneBinder::record).ifPresent(record -> {
        Location first = seen.putIfAbsent(record.name() + " " + record.type(), record.location());
        if (first != null) {
          r.problems().error(record.location(), "`records` in " + r.context() + ": found the " + record.type()
              + " record `" + record.name() + "` a second time: expected one entry per name and type, with"
              + " several `values` (first at line " + first.line() + ")");
        } else {
          records.add(record);
        }
      });
    }
    return records;
  }

  private static Optional<DnsRecord> record(MapReader m) {
    Optional<String> name = m.require("name", Conversion.of("a name relative to the zone such as `www`, or `@`"
        + " for the zone itself", text -> text.equals("@") || RELATIVE_NAME.matcher(text).matches() ? text : null));
    Optional<String> type = m.require("type", TYPE);
    Optional<Long> ttl = m.get("ttl", TTL);
    if (m.has("value") == m.has("values")) {
      m.error(m.has("value") ? "values" : "value", m.has("value")
          ? "found both `value` and `values`: expected exactly one of them"
          : "found neither `value` nor `values`: expected exactly one of them");
      return Optional.empty();
    }
    if (type.isEmpty()) {
      return Optional.empty();
    }
    Conversion<String> conversion = value(type.get());
    List<String> values = m.has("value")
        ? m.get("value", conversion).map(List::of).orElse(List.of())
        : m.list("values", conversion).orElse(List.of());
    if (m.has("values") && values.isEmpty() && m.node().get("values").orElseThrow() instanceof ListNode l
        && l.items().isEmpty()) {
      m.error("values", "found an empty list, expected at least one value");
    }
    if (type.get().equals("CNAME") && values.size() > 1) {
      m.error("values", "found " + values.size() + " values, expected one target for a CNAME record");
    }
    if (name.isEmpty() || values.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DnsRecord(name.get(), type.get(), values, ttl, m.node().location()));
  }

  /** What a value of each record type must look like. */
  private static Conversion<String> value(String type) {
    Conversion<String> target = Conversion.of("a DNS name such as mail or mail.example.org.",
        text -> valid(Conversion.dnsName(), text) ? text : null);
    return switch (type) {
      case "A" -> Conversion.of(Conversion.ipv4().expected(), text -> canonical(Conversion.ipv4(), text));
      case "AAAA" -> Conversion.of(Conversion.ipv6().expected(), text -> canonical(Conversion.ipv6(), text));
      case "CNAME", "PTR" -> target;
      case "MX" -> fields("PREF HOST such as `10 mail`", target, 1);
      case "SRV" -> fields("PRIO WEIGHT PORT TARGET such as `10 5 5060 sip`", target, 3);
      default -> Conversion.text();
    };
  }

  /** {@code numbers} integers 0-65535 then a target name, separated by blanks; returned single-spaced. */
  private static Conversion<String> fields(String expected, Conversion<String> target, int numbers) {
    Conversion<Integer> number = Conversion.integer(0, 65535);
    return Conversion.of(expected, text -> {
      String[] parts = text.trim().split("\\s+");
      if (parts.length != numbers + 1 || !valid(target, parts[numbers])) {
        return null;
      }
      for (int i = 0; i < numbers; i++) {
        if (!valid(number, parts[i])) {
          return null;
        }
      }
      return String.join(" ", parts);
    });
  }

  private static boolean valid(Conversion<?> conversion, String text) {
    try {
      conversion.convert(text);
      return true;
    } catch (Conversion.Invalid e) {
      return false;
    }
  }

  private static String canonical(Conversion<InetAddress> conversion, String text) {
    return valid(conversion, text) ? InetAddresses.toAddrString(conversion.convert(text)) : null;
  }

  private static String canonical(String ip) {
    return InetAddresses.toAddrString(InetAddresses.forString(ip));
  }
}

package dev.converge.compile;

import com.google.common.net.InetAddresses;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Cidr;
import dev.converge.spec.Host;
import dev.converge.spec.Location;
import dev.converge.spec.Network;
import dev.converge.spec.SecretException;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.spec.Zone;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The resources that {@code zones:} and the hosts' {@code resolver:} compile into:
 *
 * <ul>
 *   <li>{@code dns-zone/HOST:ZONE}: the zone served by BIND on its {@code server} host;
 *   <li>{@code dns-record/TARGET:OWNER/TYPE}: one RRset, kept by signed dynamic updates through TARGET (the server
 *       host, or the spec's local host for a server given as an address): the zone's {@code records}, an A/AAAA
 *       per host of each {@code register}ed network, and with {@code reverse: true} their PTRs in the reverse zone
 *       (a zone of the spec that holds the address, else the octet-aligned zone of the network, served like the
 *       forward zone);
 *   <li>{@code file/HOST:/etc/resolv.conf} for hosts with a {@code resolver}.
 * </ul>
 *
 * Values are in the DNS presentation form with absolute names, which is what a probe of the zone reads back.
 *
 * @param byZone the resources of each zone ({@code requires: [zone/NAME]}), but for the names of jails
 * @param resolverFiles the resolv.conf of each host that has a resolver
 * @param jailResolvConf the content of the resolv.conf of each jail that has a resolver
 * @param unmanaged zones served by jails, and resolvers that are jails left out of the compile
 */
record DnsResources(SortedMap<String, Set<ResourceId>> byZone, SortedMap<String, ResourceId> resolverFiles,
    SortedMap<String, String> jailResolvConf, List<String> unmanaged) {

  static final String DNS_ZONE = "dns-zone";
  static final String DNS_RECORD = "dns-record";
  static final String RESOLV_CONF = "/etc/resolv.conf";

  private static final int TXT_STRING_BYTES = 255;

  /** Where a zone's updates go: the host converge speaks through, the server as that host sees it, the key. */
  private record Endpoint(String target, String server, Sensitive key, boolean served) {}

  /**
   * Adds the DNS resources of {@code spec} to {@code graph}.
   *
   * @throws CompileException naming the zone when a key cannot be read, a server address has no local host to
   *     reach it from, a registered name collides with a record, or a network cannot be registered
   */
  static DnsResources of(Spec spec, Secrets secrets, SortedMap<String, JailResources.Compiled> jails,
      DesiredGraph.Builder graph) throws CompileException {
    return new Builder(spec, secrets, jails, graph).build();
  }

  private static final class Builder {
    private final Spec spec;
    private final Secrets secrets;
    private final SortedMap<String, JailResources.Compiled> jails;
    private final DesiredGraph.Builder graph;
    /** The jail each registered record names: the record waits until its jail is ready. */
    private final Map<ResourceId, ResourceId> jailOfRecord = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();
    private final List<String> unmanaged = new ArrayList<>();
    private final SortedMap<String, Set<ResourceId>> byZone = new TreeMap<>();
    private final Map<ResourceId, Resource> records = new TreeMap<>();
    private final Map<ResourceId, Location> recordOrigins = new TreeMap<>();
    private final SortedMap<String, ResourceId> servedZones = new TreeMap<>();

    Builder(Spec spec, Secrets secrets, SortedMap<String, JailResources.Compiled> jails,
        DesiredGraph.Builder graph) {
      this.spec = spec;
      this.secrets = secrets;
      this.jails = jails;
      this.graph = graph;
    }

    DnsResources build() throws CompileException {
      Map<String, Endpoint> endpoints = new TreeMap<>();
      for (Zone z : spec.zones().values()) {
        endpoint(z).ifPresent(e -> endpoints.put(z.name(), e));
      }
      for (Zone z : spec.zones().values()) {
        Endpoint e = endpoints.get(z.name());
        if (e == null) {
          continue;
        }
        String zone = lower(z.name());
        serve(z, zone, e, z.location());
        for (Zone.DnsRecord r : z.records()) {
          String owner = r.name().equals("@") ? zone : lower(r.name()) + "." + zone;
          List<String> values = r.values().stream().map(v -> presentation(r.type(), v, zone)).toList();
          record(z.name(), zone, e, owner, r.type(), r.ttl().orElse(z.ttl()), values, r.location());
        }
        register(z, zone, e, endpoints);
      }
      if (!errors.isEmpty()) {
        throw new CompileException(String.join("\n", errors));
      }
      for (Resource r : records.values()) {
        graph.add(r);
        String zone = (String) r.properties().get("zone").orElseThrow();
        ResourceId served = servedZones.get(zone);
        if (served != null && served.target().equals(r.target())) {
          graph.requires(r.id(), served);
        }
        Optional.ofNullable(jailOfRecord.get(r.id())).ifPresent(jail -> graph.requires(r.id(), jail));
      }
      // a jail's own names follow the jail: a jail that requires its zone waits for the zone, not for them
      byZone.values().forEach(ids -> ids.removeAll(jailOfRecord.keySet()));
      SortedMap<String, ResourceId> resolverFiles = resolverFiles();
      SortedMap<String, String> jailResolvConf = jailResolvConf();
      if (!errors.isEmpty()) {
        throw new CompileException(String.join("\n", errors));
      }
      return new DnsResources(byZone, resolverFiles, jailResolvConf, List.copyOf(unmanaged));
    }

    private Optional<Endpoint> endpoint(Zone z) {
      if (z.serverName().isPresent() && !spec.hosts().containsKey(z.serverName().get())
          && !jails.containsKey(z.serverName().get())) {
        unmanaged.add("zone " + z.name() + " (served by jail " + z.serverName().get() + ", left out)");
        return Optional.empty();
      }
      Sensitive key;
      try {
        key = new Sensitive(secrets.value(z.key()).strip());
      } catch (SecretException e) {
        errors.add(z.location() + ": zone `" + z.name() + "`: " + e.getMessage());
        return Optional.empty();
      }
      if (z.serverName().isPresent()) {
        return Optional.of(new Endpoint(z.serverName().get(), "127.0.0.1:" + z.serverPort(), key, true));
      }
      Optional<Host> local = spec.hosts().values().stream().filter(Host::isLocal).findFirst();
      if (local.isEmpty()) {
        errors.add(z.location() + ": zone `" + z.name() + "` is served at " + z.serverAddress().orElseThrow()
            + ", which converge reaches from the machine it runs on: expected a host with `transport: local` in"
            + " the spec (or a `server` that is a host of the spec)");
        return Optional.empty();
      }
      String address = z.serverAddress().orElseThrow();
      String server = address.contains(":") ? "[" + address + "]:" + z.serverPort() : address + ":" + z.serverPort();
      return Optional.of(new Endpoint(local.get().name(), server, key, false));
    }

    /** A zone on a host of the spec is served by that host (once, however many forward zones point at it). */
    private void serve(Zone z, String zone, Endpoint e, Location origin) {
      if (!e.served() || servedZones.containsKey(zone)) {
        return;
      }
      JailResources.Compiled jail = jails.get(e.target());
      boolean inJail = !spec.hosts().containsKey(e.target()) && jail != null;
      ResourceId id = ResourceId.of(DNS_ZONE, e.target(), zone);
      graph.add(Resource.present(id, Properties.builder()
          .put("zone", zone)
          .put("key", e.key())
          .put("ttl", z.ttl())
          .put("nameserver", inJail ? jail.addressText() : nameserverAddress(spec.hosts().get(e.target())))
          .build(), origin));
      if (inJail) {
        // BIND inside a jail is set up once the jail runs, through the jail
        graph.requires(id, jail.id());
      }
      servedZones.put(zone, id);
      byZone.computeIfAbsent(z.name(), k -> new TreeSet<>()).add(id);
    }

    /** The address others reach a host at: its loopback (routed by OSPF), else its spec address. */
    private static String nameserverAddress(Host host) {
      return host.loopback().map(c -> InetAddresses.toAddrString(c.network()))
          .or(host::address)
          .orElse("127.0.0.1");
    }

    private void register(Zone z, String zone, Endpoint e, Map<String, Endpoint> endpoints) {
      for (String n : z.register()) {
        Network net = spec.networks().get(n);
        if (net.kind() == Network.Kind.LINKS) {
          errors.add(z.location() + ": zone `" + z.name() + "` registers `" + n + "`, a links network: expected a"
              + " loopback or bridge network, whose hosts have addresses of their own to register");
          continue;
        }
        for (var entry : net.addresses().entrySet()) {
          String host = entry.getKey();
          String owner = lower(host) + "." + zone;
          SortedSet<String> v4 = new TreeSet<>();
          SortedSet<String> v6 = new TreeSet<>();
          entry.getValue().forEach(a -> (a instanceof Inet4Address ? v4 : v6).add(InetAddresses.toAddrString(a)));
          if (!v4.isEmpty()) {
            record(z.name(), zone, e, owner, "A", z.ttl(), List.copyOf(v4), z.location());
          }
          if (!v6.isEmpty()) {
            record(z.name(), zone, e, owner, "AAAA", z.ttl(), List.copyOf(v6), z.location());
          }
          if (z.reverse()) {
            for (InetAddress a : entry.getValue()) {
              reverse(z, e, endpoints, net, a, owner + ".");
            }
          }
        }
        for (JailResources.Compiled j : jails.values()) {
          if (!j.network().name().equals(n)) {
            continue;
          }
          String owner = jailOwner(j, zone);
          String type = j.address() instanceof Inet4Address ? "A" : "AAAA";
          record(z.name(), zone, e, owner, type, z.ttl(), List.of(j.addressText()), j.jail().location())
              .ifPresent(id -> jailOfRecord.put(id, j.id()));
          if (z.reverse()) {
            reverse(z, e, endpoints, net, j.address(), owner + ".")
                .ifPresent(id -> jailOfRecord.put(id, j.id()));
          }
        }
      }
    }

    /** A jail's name in a zone: its hostname when that lies in the zone, else the jail's name. */
    private static String jailOwner(JailResources.Compiled j, String zone) {
      String hostname = lower(j.jail().hostname().orElse(""));
      if (hostname.endsWith("." + zone)) {
        return hostname;
      }
      return lower(j.jail().name()) + "." + zone;
    }

    /** The PTR of {@code address}: in the spec's zone that holds it, else in the octet-aligned zone of the network. */
    private Optional<ResourceId> reverse(Zone forward, Endpoint e, Map<String, Endpoint> endpoints, Network net,
        InetAddress address, String target) {
      String owner = reverseName(address);
      Optional<Zone> declared = spec.zones().values().stream()
          .filter(z -> owner.equals(lower(z.name())) || owner.endsWith("." + lower(z.name())))
          .max((a, b) -> Integer.compare(a.name().length(), b.name().length()));
      String zone;
      Endpoint where;
      long ttl;
      if (declared.isPresent()) {
        zone = lower(declared.get().name());
        where = endpoints.get(declared.get().name());
        ttl = declared.get().ttl();
        if (where == null) {
          return Optional.empty();
        }
      } else {
        zone = reverseZone(net.cidr());
        where = e;
        ttl = forward.ttl();
        serve(forward, zone, e, forward.location());
        byZone.computeIfAbsent(forward.name(), k -> new TreeSet<>());
      }
      return record(declared.map(Zone::name).orElse(forward.name()), zone, where, owner, "PTR", ttl,
          List.of(target), forward.location());
    }

    private Optional<ResourceId> record(String entity, String zone, Endpoint e, String owner, String type, long ttl,
        List<String> values, Location origin) {
      ResourceId id = ResourceId.of(DNS_RECORD, e.target(), owner + "/" + type);
      Location first = recordOrigins.putIfAbsent(id, origin);
      if (first != null) {
        errors.add(origin + ": " + type + " record " + owner + " is asked for twice (first at " + first
            + "): a name registered from a network cannot also be a record of the zone");
        return Optional.empty();
      }
      records.put(id, Resource.present(id, Properties.builder()
          .put("zone", zone)
          .put("server", e.server())
          .put("key", e.key())
          .put("ttl", ttl)
          .put("values", new ArrayList<>(new TreeSet<>(values)))
          .build(), origin));
      byZone.computeIfAbsent(entity, k -> new TreeSet<>()).add(id);
      return Optional.of(id);
    }

    private SortedMap<String, ResourceId> resolverFiles() {
      SortedMap<String, ResourceId> files = new TreeMap<>();
      for (Host h : spec.hosts().values()) {
        if (h.resolver().isEmpty()) {
          continue;
        }
        String resolver = h.resolver().get();
        Optional<Nameserver> nameserver = nameserver(resolver, "host " + h.name());
        if (nameserver.isEmpty()) {
          continue;
        }
        ResourceId id = ResourceId.of(Compiler.FILE, h.name(), RESOLV_CONF);
        if (spec.files().stream().anyMatch(f -> f.host().equals(h.name()) && f.path().equals(RESOLV_CONF))) {
          errors.add(h.location() + ": host `" + h.name() + "` has a `resolver` and also lists " + RESOLV_CONF
              + " among its files: expected one of them");
          continue;
        }
        String content = resolvConf(resolver, searchDomains(n -> n.addresses().containsKey(h.name())
            || jails.values().stream().anyMatch(j -> j.host().equals(h.name()) && j.network().name().equals(n.name()))),
            nameserver.get().address());
        graph.add(Resource.present(id, Properties.builder()
            .put("type", "file")
            .put("content", content)
            .put("mode", "0644")
            .put("owner", Optional.empty())
            .put("group", Optional.empty())
            .build(), h.location()));
        nameserver.get().requires().forEach(r -> graph.requires(id, r));
        files.put(h.name(), id);
      }
      return files;
    }

    /** A jail's resolv.conf, pointing where a host's would; the jail's short name resolves in its network's zones. */
    private SortedMap<String, String> jailResolvConf() {
      SortedMap<String, String> out = new TreeMap<>();
      for (JailResources.Compiled j : jails.values()) {
        Optional<String> resolver = j.jail().resolver();
        if (resolver.isEmpty()) {
          continue;
        }
        nameserver(resolver.get(), "jail " + j.jail().name()).ifPresent(ns -> out.put(j.jail().name(),
            resolvConf(resolver.get(), searchDomains(n -> n.name().equals(j.network().name())), ns.address())));
      }
      return out;
    }

    /** Where a resolver answers, and what must be up first: a host's zones, or a jail. */
    private record Nameserver(String address, Set<ResourceId> requires) {}

    private Optional<Nameserver> nameserver(String resolver, String of) {
      if (InetAddresses.isInetAddress(resolver)) {
        return Optional.of(new Nameserver(resolver, Set.of()));
      }
      if (spec.hosts().containsKey(resolver)) {
        Set<ResourceId> requires = new TreeSet<>();
        servedZones.values().stream().filter(id -> id.target().equals(resolver)).forEach(requires::add);
        return Optional.of(new Nameserver(nameserverAddress(spec.hosts().get(resolver)), requires));
      }
      JailResources.Compiled jail = jails.get(resolver);
      if (jail == null) {
        unmanaged.add("resolver of " + of + " (jail " + resolver + ", left out)");
        return Optional.empty();
      }
      Set<ResourceId> requires = new TreeSet<>(Set.of(jail.id()));
      servedZones.values().stream().filter(id -> id.target().equals(resolver)).forEach(requires::add);
      return Optional.of(new Nameserver(jail.addressText(), requires));
    }

    private static String resolvConf(String resolver, SortedSet<String> search, String address) {
      StringBuilder content = new StringBuilder("# managed by converge: resolver ").append(resolver).append('\n');
      if (!search.isEmpty()) {
        content.append("search ").append(String.join(" ", search)).append('\n');
      }
      return content.append("nameserver ").append(address).append('\n').toString();
    }

    /** The zones that register a network {@code on} accepts: a short name resolves in them. */
    private SortedSet<String> searchDomains(Predicate<Network> on) {
      SortedSet<String> out = new TreeSet<>();
      for (Zone z : spec.zones().values()) {
        if (z.register().stream().map(spec.networks()::get)
            .anyMatch(n -> n.kind() != Network.Kind.LINKS && on.test(n))) {
          out.add(lower(z.name()));
        }
      }
      return out;
    }
  }

  /** {@code 10.1.0.5} → {@code 5.0.1.10.in-addr.arpa}; IPv6 as nibbles under {@code ip6.arpa}. */
  static String reverseName(InetAddress address) {
    byte[] bytes = address.getAddress();
    StringBuilder out = new StringBuilder();
    if (address instanceof Inet4Address) {
      for (int i = bytes.length - 1; i >= 0; i--) {
        out.append(bytes[i] & 0xff).append('.');
      }
      return out.append("in-addr.arpa").toString();
    }
    for (int i = bytes.length - 1; i >= 0; i--) {
      out.append(Character.forDigit(bytes[i] & 0xf, 16)).append('.')
          .append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append('.');
    }
    return out.append("ip6.arpa").toString();
  }

  /** The reverse zone of a network: its prefix rounded down to whole octets (nibbles for IPv6), as Reggae does. */
  static String reverseZone(Cidr cidr) {
    String full = reverseName(cidr.network());
    boolean v4 = cidr.network() instanceof Inet4Address;
    int unit = v4 ? 8 : 4;
    int labels = Math.max(1, cidr.prefix() / unit);
    int total = v4 ? 4 : 32;
    String[] parts = full.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = total - labels; i < parts.length; i++) {
      out.append(out.length() == 0 ? "" : ".").append(parts[i]);
    }
    return out.toString();
  }

  /**
   * A value of the spec in presentation form with absolute names, as a zone transfer reads it back: relative
   * targets get the zone appended, TXT becomes quoted strings of at most 255 bytes each.
   */
  static String presentation(String type, String value, String zone) {
    return switch (type) {
      case "CNAME", "PTR" -> absolute(value, zone);
      case "MX", "SRV" -> {
        int last = value.lastIndexOf(' ');
        yield value.substring(0, last + 1) + absolute(value.substring(last + 1), zone);
      }
      case "TXT" -> txt(value);
      default -> value;
    };
  }

  private static String absolute(String name, String zone) {
    String lower = lower(name);
    if (lower.equals("@")) {
      return zone + ".";
    }
    return lower.endsWith(".") ? lower : lower + "." + zone + ".";
  }

  /** As dnsjava prints TXT data: each string quoted, {@code "} and {@code \} escaped, other bytes outside ASCII as \DDD. */
  private static String txt(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    List<String> strings = new ArrayList<>();
    for (int start = 0; start < bytes.length || strings.isEmpty(); start += TXT_STRING_BYTES) {
      StringBuilder s = new StringBuilder("\"");
      for (int i = start; i < Math.min(bytes.length, start + TXT_STRING_BYTES); i++) {
        int b = bytes[i] & 0xff;
        if (b < 0x20 || b >= 0x7f) {
          s.append('\\').append(String.format("%03d", b));
        } else if (b == '"' || b == '\\') {
          s.append('\\').append((char) b);
        } else {
          s.append((char) b);
        }
      }
      strings.add(s.append('"').toString());
    }
    return String.join(" ", strings);
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}

package dev.converge.frr;

import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Cidr;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code ospf-router} resource in the shape of the network contract: router id, the interfaces OSPF runs on, the
 * prefixes it advertises, whether it drops FRR's LSA and SPF throttles ({@code fast-convergence}), and the readiness
 * inputs {@code neighbors} (interface → peer router id) and {@code routes} (the /32s other routers advertise), and
 * {@code redistribute}: connected prefixes ospfd cannot advertise by a network statement (a Linux jail's /32 at the
 * far end of an unnumbered veth), sent as external routes. Built from desired properties it is validated, so that
 * nothing rendered into FRR's configuration can carry a space, a newline or a value FRR would silently change.
 */
record OspfRouter(
    String routerId,
    SortedMap<String, OspfInterface> interfaces,
    SortedMap<String, String> networks,
    boolean fastConvergence,
    SortedMap<String, String> neighbors,
    List<String> routes,
    List<String> redistribute) {

  static final String KIND = "ospf-router";
  static final String ROUTER_ID = "router-id";
  static final String INTERFACES = "interfaces";
  static final String NETWORKS = "networks";
  static final String FAST_CONVERGENCE = "fast-convergence";
  static final String NEIGHBORS = "neighbors";
  static final String ROUTES = "routes";
  static final String REDISTRIBUTE = "redistribute";

  /** Linux IFNAMSIZ-1 and FreeBSD IFNAMSIZ-1 both allow 15; FRR names never contain spaces. */
  private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}");
  private static final Pattern DOTTED_QUAD = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  OspfRouter {
    interfaces = Collections.unmodifiableSortedMap(new TreeMap<>(interfaces));
    networks = Collections.unmodifiableSortedMap(new TreeMap<>(networks));
    neighbors = Collections.unmodifiableSortedMap(new TreeMap<>(neighbors));
    routes = List.copyOf(routes);
    // sorted and without duplicates, as the compiler emits it
    redistribute = List.copyOf(new TreeSet<>(redistribute));
  }

  /**
   * The router that {@code properties} describe.
   *
   * @param where names host and resource in errors ("ospf-router on server1")
   * @throws IllegalArgumentException naming {@code where}, the field and the value that is wrong
   */
  static OspfRouter of(Properties properties, String where) {
    String routerId = dottedQuad(properties.string(ROUTER_ID)
        .orElseThrow(() -> new IllegalArgumentException(where + ": `router-id` is missing")), where, ROUTER_ID);
    SortedMap<String, OspfInterface> interfaces = new TreeMap<>();
    map(properties, INTERFACES).forEach((name, value) -> {
      String ifname = interfaceName(name, where);
      if (!(value instanceof Map<?, ?> fields)) {
        throw new IllegalArgumentException(where + ": interface `" + ifname + "` must be a map, found " + value);
      }
      interfaces.put(ifname, OspfInterface.of(fields, where + ", interface " + ifname));
    });
    SortedMap<String, String> networks = new TreeMap<>();
    map(properties, NETWORKS).forEach((cidr, area) -> networks.put(ipv4Cidr(cidr, where),
        area(String.valueOf(Sensitive.reveal(area)), where)));
    SortedMap<String, String> neighbors = new TreeMap<>();
    map(properties, NEIGHBORS).forEach((ifname, peer) -> neighbors.put(interfaceName(ifname, where),
        dottedQuad(String.valueOf(peer), where, "neighbors." + ifname)));
    Object fast = properties.get(FAST_CONVERGENCE).orElse(false);
    if (!(fast instanceof Boolean fastConvergence)) {
      throw new IllegalArgumentException(where + ": `" + FAST_CONVERGENCE + "` must be true or false, found " + fast);
    }
    List<String> routes = new ArrayList<>();
    for (Object route : list(properties, ROUTES)) {
      routes.add(ipv4Cidr(String.valueOf(route), where));
    }
    List<String> redistribute = new ArrayList<>();
    for (Object prefix : list(properties, REDISTRIBUTE)) {
      redistribute.add(ipv4Cidr(String.valueOf(prefix), where + ", `" + REDISTRIBUTE + "`"));
    }
    return new OspfRouter(routerId, interfaces, networks, fastConvergence, neighbors, routes, redistribute);
  }

  /** This router with every MD5 key replaced by {@code (sensitive)}: for configuration text that goes into plans. */
  OspfRouter redacted() {
    SortedMap<String, OspfInterface> out = new TreeMap<>();
    interfaces.forEach((name, i) -> out.put(name, i.md5Key().isEmpty() ? i : new OspfInterface(i.area(),
        i.networkType(), i.hello(), i.dead(), Optional.of(new Sensitive(Sensitive.REDACTED)), i.passive())));
    return new OspfRouter(routerId, out, networks, fastConvergence, neighbors, routes, redistribute);
  }

  /**
   * The canonical properties: what the compiler emits and the probe reports. {@code fast-convergence} is always
   * there, false included, so that a router whose spec stopped asking for it shows as drift; so is {@code
   * redistribute}, empty included.
   */
  Properties toProperties() {
    SortedMap<String, Object> ifs = new TreeMap<>();
    interfaces.forEach((name, i) -> ifs.put(name, i.toMap()));
    return Properties.builder()
        .put(ROUTER_ID, routerId)
        .put(INTERFACES, ifs)
        .put(NETWORKS, networks)
        .put(FAST_CONVERGENCE, fastConvergence)
        .put(NEIGHBORS, neighbors)
        .put(ROUTES, routes)
        .put(REDISTRIBUTE, redistribute)
        .build();
  }

  static String interfaceName(String name, String where) {
    if (!INTERFACE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(where + ": `" + name + "` is not an interface name (letters, digits, "
          + "`_.@-`, at most 15 characters)");
    }
    return name;
  }

  /** An area id as FRR prints it when it was given dotted: {@code 0.0.0.0}. */
  static String area(String area, String where) {
    return dottedQuad(area, where, "area");
  }

  private static String dottedQuad(String text, String where, String field) {
    var m = DOTTED_QUAD.matcher(text);
    if (!m.matches() || !(Cidr.address(text) instanceof Inet4Address)) {
      throw new IllegalArgumentException(where + ": `" + field + "` must be a dotted IPv4 quad, found `" + text + "`");
    }
    return text;
  }

  private static String ipv4Cidr(String text, String where) {
    try {
      Cidr cidr = Cidr.parse(text);
      if (!cidr.isIpv4()) {
        throw new IllegalArgumentException("OSPFv2 routes IPv4 only");
      }
      return cidr.network().getHostAddress() + "/" + cidr.prefix();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": `" + text + "` is not an IPv4 prefix: " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> map(Properties properties, String field) {
    Object v = properties.get(field).orElse(Map.of());
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("`" + field + "` must be a map, found " + v);
    }
    Map<String, Object> out = new TreeMap<>();
    m.forEach((k, e) -> out.put(String.valueOf(k), e));
    return out;
  }

  private static List<?> list(Properties properties, String field) {
    Object v = properties.get(field).orElse(List.of());
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("`" + field + "` must be a list, found " + v);
    }
    return l;
  }

  /**
   * OSPF on one interface. {@code area} is where ospfd actually runs it (from the network statements that cover its
   * address); the other fields are configuration lines of the interface.
   */
  record OspfInterface(
      Optional<String> area,
      Optional<String> networkType,
      OptionalLong hello,
      OptionalLong dead,
      Optional<Sensitive> md5Key,
      boolean passive) {

    static final String AREA = "area";
    static final String NETWORK_TYPE = "network-type";
    static final String HELLO = "hello";
    static final String DEAD = "dead";
    static final String MD5_KEY = "md5-key";
    static final String PASSIVE = "passive";

    /** FRR's four interface types, by the keyword {@code ip ospf network} takes. */
    static final Set<String> NETWORK_TYPES =
        Set.of("broadcast", "non-broadcast", "point-to-multipoint", "point-to-point");
    /** RFC 2328 D.3: the MD5 key is 16 octets; FRR truncates longer ones, which would read back as drift. */
    private static final Pattern MD5_KEY_TEXT = Pattern.compile("[!-~]{1,16}");

    static OspfInterface of(Map<?, ?> fields, String where) {
      for (Object key : fields.keySet()) {
        if (!Set.of(AREA, NETWORK_TYPE, HELLO, DEAD, MD5_KEY, PASSIVE).contains(String.valueOf(key))) {
          throw new IllegalArgumentException(where + ": unknown field `" + key + "`");
        }
      }
      Optional<String> area = Optional.ofNullable(fields.get(AREA)).map(a -> OspfRouter.area(String.valueOf(a), where));
      Optional<String> type = Optional.ofNullable(fields.get(NETWORK_TYPE)).map(String::valueOf);
      if (type.isPresent() && !NETWORK_TYPES.contains(type.get())) {
        throw new IllegalArgumentException(where + ": `network-type` must be one of " + new java.util.TreeSet<>(
            NETWORK_TYPES) + ", found `" + type.get() + "`");
      }
      Optional<Sensitive> key = Optional.ofNullable(fields.get(MD5_KEY))
          .map(k -> new Sensitive(String.valueOf(Sensitive.reveal(k))));
      if (key.isPresent() && !MD5_KEY_TEXT.matcher((String) key.get().value()).matches()) {
        throw new IllegalArgumentException(where + ": the `md5-key` must be 1 to 16 printable characters without "
            + "spaces (its value is not shown)");
      }
      Object passive = fields.get(PASSIVE);
      if (passive != null && !(passive instanceof Boolean)) {
        throw new IllegalArgumentException(where + ": `passive` must be true or false, found " + passive);
      }
      return new OspfInterface(area, type, seconds(fields.get(HELLO), HELLO, where),
          seconds(fields.get(DEAD), DEAD, where), key, Boolean.TRUE.equals(passive));
    }

    private static OptionalLong seconds(Object value, String field, String where) {
      if (value == null) {
        return OptionalLong.empty();
      }
      if (!(value instanceof Long l) || l < 1 || l > 65535) {
        throw new IllegalArgumentException(where + ": `" + field + "` must be seconds from 1 to 65535, found "
            + value);
      }
      return OptionalLong.of(l);
    }

    SortedMap<String, Object> toMap() {
      SortedMap<String, Object> m = new TreeMap<>();
      area.ifPresent(a -> m.put(AREA, a));
      networkType.ifPresent(t -> m.put(NETWORK_TYPE, t));
      hello.ifPresent(h -> m.put(HELLO, h));
      dead.ifPresent(d -> m.put(DEAD, d));
      md5Key.ifPresent(k -> m.put(MD5_KEY, k));
      m.put(PASSIVE, passive);
      return m;
    }

    /**
     * The interface's lines in the order {@code show running-config} prints them (ospf_vty.c writes parameters
     * alphabetically by keyword), so that the file converge writes reads back unchanged. Passive interfaces print
     * nothing: {@code passive-interface default} covers them.
     */
    List<String> configLines() {
      List<String> lines = new ArrayList<>();
      if (md5Key.isPresent()) {
        lines.add(" ip ospf authentication message-digest");
      }
      dead.ifPresent(d -> lines.add(" ip ospf dead-interval " + d));
      hello.ifPresent(h -> lines.add(" ip ospf hello-interval " + h));
      md5Key.ifPresent(k -> lines.add(" ip ospf message-digest-key 1 md5 " + k.value()));
      networkType.ifPresent(t -> lines.add(" ip ospf network " + t));
      if (!passive) {
        lines.add(" no ip ospf passive");
      }
      return lines;
    }
  }
}

package dev.converge.frr;

import dev.converge.frr.OspfRouter.OspfInterface;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Cidr;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FRR's integrated configuration as {@code show running-config} prints it (and {@code frr.conf} holds it): top-level
 * lines, then sections such as {@code interface eth0} … {@code exit} or {@code router ospf} … {@code exit}.
 *
 * <p>converge owns only some lines: in {@code router ospf}, the router id, the LSA and SPF throttles ({@code timers
 * throttle spf}, {@code timers throttle lsa all}, {@code timers lsa min-arrival}: the spec chooses between FRR's
 * defaults and fast convergence), {@code passive-interface default} and the {@code network … area …} statements; in {@code interface X} for the interfaces of its resource, the OSPF area,
 * network type, hello and dead intervals, MD5 authentication and passive lines; for the connected prefixes the router
 * redistributes, {@code redistribute connected route-map converge-redistribute} in {@code router ospf}, the
 * top-level {@code ip prefix-list converge-redistribute seq N permit CIDR} lines and the {@code route-map
 * converge-redistribute permit 10} block (ospfd redistributes only what the prefix-list permits, so that no other
 * connected subnet leaks into the area as an external route). {@link #withOspf} replaces exactly those and keeps
 * every other line and section (a {@code router bgp}, another interface, static routes, the user's own prefix-lists
 * and route-maps) as FRR printed it.
 */
final class FrrConfig {

  static final String ROUTER_OSPF = "router ospf";
  private static final String INTERFACE = "interface ";

  private static final Pattern ROUTER_ID = Pattern.compile(" ospf router-id (\\S+)");
  private static final Pattern NETWORK = Pattern.compile(" network (\\S+) area (\\S+)");
  private static final String PASSIVE_DEFAULT = " passive-interface default";
  /** The name of converge's prefix-list and route-map: one router per host, so one of each. */
  private static final String REDISTRIBUTE_NAME = "converge-redistribute";
  private static final String REDISTRIBUTE_LINE = " redistribute connected route-map " + REDISTRIBUTE_NAME;
  private static final String PREFIX_LIST = "ip prefix-list " + REDISTRIBUTE_NAME + " ";
  private static final Pattern PREFIX_LIST_ENTRY =
      Pattern.compile(Pattern.quote(PREFIX_LIST) + "seq \\d+ permit (\\S+)");
  private static final String ROUTE_MAP = "route-map " + REDISTRIBUTE_NAME + " ";
  private static final Section ROUTE_MAP_SECTION = new Section(ROUTE_MAP + "permit 10",
      List.of(" match ip address prefix-list " + REDISTRIBUTE_NAME), true);
  /** Where converge's prefix-list and route-map stood while {@link #withOspf} rebuilds: compared by identity. */
  private static final Section PREFIX_LIST_PLACE = new Section(PREFIX_LIST, List.of(), false);
  private static final Section ROUTE_MAP_PLACE = new Section(ROUTE_MAP, List.of(), false);
  /** ospfd prints redistribute lines by route type, in zebra's order: kernel, connected, then the others. */
  private static final List<String> REDISTRIBUTE_ORDER = List.of(" redistribute kernel", " redistribute connected");
  /**
   * Fast convergence as {@code show running-config} prints it, in its order: SPF 0 ms after a change (50 ms to 1 s
   * between runs), LSAs originated and accepted without delay. FRR's defaults (0 50 5000, 5000 ms, 1000 ms) leave
   * routes about 10 s behind Full adjacencies.
   */
  static final List<String> FAST_CONVERGENCE = List.of(" timers throttle spf 0 50 1000", " timers throttle lsa all 0",
      " timers lsa min-arrival 0");
  /** The throttle settings converge owns, whatever their values: a hand-set one would contradict the spec's choice. */
  private static final List<String> THROTTLE_PREFIXES = List.of(" timers throttle spf ", " timers throttle lsa all ",
      " timers lsa min-arrival ");
  private static final Pattern HELLO = Pattern.compile(" ip ospf hello-interval (\\d+)");
  private static final Pattern DEAD = Pattern.compile(" ip ospf dead-interval (\\d+)");
  private static final Pattern KEY = Pattern.compile(" ip ospf message-digest-key 1 md5 (\\S+)");
  private static final Pattern NETWORK_TYPE = Pattern.compile(" ip ospf network (\\S+)");
  /** Interface lines converge owns; an {@code ip ospf area} line is owned too, since FRR refuses it beside network statements. */
  private static final List<String> OWNED_INTERFACE_PREFIXES = List.of(" ip ospf area", " ip ospf authentication",
      " ip ospf dead-interval", " ip ospf hello-interval", " ip ospf message-digest-key", " ip ospf network",
      " ip ospf passive", " no ip ospf passive");

  /** One top-level line with the indented lines under it; {@code closed} when FRR ended it with {@code exit}. */
  record Section(String head, List<String> body, boolean closed) {
    Section {
      body = List.copyOf(body);
    }

    boolean isBlock() {
      return closed || !body.isEmpty();
    }
  }

  private final List<Section> sections;

  private FrrConfig(List<Section> sections) {
    this.sections = List.copyOf(sections);
  }

  /**
   * Parses {@code show running-config} output or a config file. The banner vtysh prints before the configuration
   * ({@code Building configuration...}, {@code Current configuration:}), comments, {@code !} separators and the
   * final {@code end} are dropped.
   */
  static FrrConfig parse(String text) {
    List<Section> sections = new ArrayList<>();
    String head = null;
    List<String> body = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String l = line.stripTrailing();
      if (l.isEmpty() || l.startsWith("!") || l.startsWith("#") || l.equals("end")
          || l.equals("Building configuration...") || l.equals("Current configuration:")) {
        continue;
      }
      if (l.startsWith(" ")) {
        if (head == null) {
          throw new IllegalArgumentException("indented line outside any section: `" + l.strip() + "`");
        }
        body.add(l);
        continue;
      }
      if (head != null && l.equals("exit")) {
        sections.add(new Section(head, body, true));
        head = null;
        body = new ArrayList<>();
        continue;
      }
      if (head != null) {
        sections.add(new Section(head, body, false));
        body = new ArrayList<>();
      }
      head = l;
    }
    if (head != null) {
      sections.add(new Section(head, body, false));
    }
    return new FrrConfig(sections);
  }

  List<Section> sections() {
    return sections;
  }

  boolean hasRouterOspf() {
    return section(ROUTER_OSPF).isPresent();
  }

  Optional<Section> section(String head) {
    return sections.stream().filter(s -> s.head().equals(head)).findFirst();
  }

  /**
   * What the configuration says about the router converge owns, for the interfaces converge manages: the router id
   * (empty string when unset), the network statements, fast convergence (all three of its lines there), the
   * redistributed prefixes (only when the redistribute line, the route-map and the prefix-list are all there), and
   * each interface's lines (its area is left empty: where ospfd runs an interface comes from ospfd itself, see
   * {@link OspfState}).
   */
  OspfRouter ospf(Iterable<String> managedInterfaces) {
    Section router = section(ROUTER_OSPF).orElse(new Section(ROUTER_OSPF, List.of(), true));
    String routerId = "";
    boolean passiveDefault = false;
    SortedMap<String, String> networks = new TreeMap<>();
    for (String line : router.body()) {
      Matcher m;
      if ((m = ROUTER_ID.matcher(line)).matches()) {
        routerId = m.group(1);
      } else if ((m = NETWORK.matcher(line)).matches()) {
        networks.put(m.group(1), m.group(2));
      } else if (line.equals(PASSIVE_DEFAULT)) {
        passiveDefault = true;
      }
    }
    SortedMap<String, OspfInterface> interfaces = new TreeMap<>();
    for (String name : managedInterfaces) {
      List<String> body = section(INTERFACE + name).map(Section::body).orElse(List.of());
      interfaces.put(name, interfaceOf(body, passiveDefault));
    }
    boolean fast = router.body().containsAll(FAST_CONVERGENCE);
    return new OspfRouter(routerId, interfaces, networks, fast, new TreeMap<>(), List.of(), redistributed(router));
  }

  private List<String> redistributed(Section router) {
    boolean wired = router.body().contains(REDISTRIBUTE_LINE)
        && sections.stream().filter(s -> s.head().startsWith(ROUTE_MAP)).toList().equals(List.of(ROUTE_MAP_SECTION));
    if (!wired) {
      return List.of();
    }
    List<String> prefixes = new ArrayList<>();
    for (Section s : sections) {
      Matcher m = PREFIX_LIST_ENTRY.matcher(s.head());
      if (m.matches()) {
        prefixes.add(m.group(1));
      }
    }
    return prefixes;
  }

  private static OspfInterface interfaceOf(List<String> body, boolean passiveDefault) {
    Optional<String> type = Optional.empty();
    OptionalLong hello = OptionalLong.empty();
    OptionalLong dead = OptionalLong.empty();
    Optional<Sensitive> key = Optional.empty();
    boolean passive = passiveDefault;
    for (String line : body) {
      Matcher m;
      if ((m = HELLO.matcher(line)).matches()) {
        hello = OptionalLong.of(Long.parseLong(m.group(1)));
      } else if ((m = DEAD.matcher(line)).matches()) {
        dead = OptionalLong.of(Long.parseLong(m.group(1)));
      } else if ((m = KEY.matcher(line)).matches()) {
        key = Optional.of(new Sensitive(m.group(1)));
      } else if ((m = NETWORK_TYPE.matcher(line)).matches()) {
        type = Optional.of(m.group(1));
      } else if (line.equals(" no ip ospf passive")) {
        passive = false;
      } else if (line.equals(" ip ospf passive")) {
        passive = true;
      }
    }
    return new OspfInterface(Optional.empty(), type, hello, dead, key, passive);
  }

  /**
   * This configuration with converge's lines replaced by those of {@code router} (or removed, when empty), on the
   * interfaces of {@code router} plus {@code formerInterfaces}. A section left with no lines is dropped; new interface
   * sections go before the first {@code router} section, where FRR prints them.
   */
  FrrConfig withOspf(Optional<OspfRouter> router, Iterable<String> formerInterfaces) {
    Map<String, List<String>> wanted = new TreeMap<>();
    formerInterfaces.forEach(name -> wanted.put(INTERFACE + name, List.of()));
    router.ifPresent(r -> r.interfaces().forEach((name, i) -> wanted.put(INTERFACE + name, i.configLines())));
    List<String> routerLines = router.map(FrrConfig::routerLines).orElse(List.of());

    List<Section> out = new ArrayList<>();
    boolean routerSeen = false;
    for (Section s : sections) {
      if (s.head().equals(ROUTER_OSPF)) {
        routerSeen = true;
        List<String> kept = s.body().stream().filter(l -> !ownedRouterLine(l)).toList();
        addIfNotEmpty(out, s.head(), routerBody(routerLines, kept));
      } else if (s.head().startsWith(PREFIX_LIST)) {
        // FRR prints prefix-lists and route-maps in creation order: converge's stay where they were
        addOnce(out, PREFIX_LIST_PLACE);
      } else if (s.head().startsWith(ROUTE_MAP)) {
        addOnce(out, ROUTE_MAP_PLACE);
      } else if (wanted.containsKey(s.head())) {
        List<String> body = new ArrayList<>(s.body().stream().filter(l -> !ownedInterfaceLine(l)).toList());
        body.addAll(wanted.remove(s.head()));
        // vtysh prints an interface's lines sorted
        body.sort(Comparator.naturalOrder());
        addIfNotEmpty(out, s.head(), body);
      } else {
        out.add(s);
      }
    }
    int firstRouter = 0;
    while (firstRouter < out.size() && !out.get(firstRouter).head().startsWith("router ")) {
      firstRouter++;
    }
    for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
      if (!e.getValue().isEmpty()) {
        out.add(firstRouter++, new Section(e.getKey(), e.getValue(), true));
      }
    }
    if (!routerSeen && !routerLines.isEmpty()) {
      out.add(new Section(ROUTER_OSPF, routerLines, true));
    }
    addRedistribution(out, router.map(OspfRouter::redistribute).orElse(List.of()));
    return new FrrConfig(out);
  }

  private static void addOnce(List<Section> out, Section place) {
    if (out.stream().noneMatch(s -> s == place)) {
      out.add(place);
    }
  }

  private static int removePlace(List<Section> out, Section place) {
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i) == place) {
        out.remove(i);
        return i;
      }
    }
    return -1;
  }

  /**
   * converge's prefix-list and route-map where they were; new ones where {@code show running-config} prints them:
   * the prefix-list after the other prefix-lists (else after the last {@code router} section), the route-map after
   * the other route-maps (else right after the prefix-list). Nothing when {@code prefixes} is empty.
   */
  private static void addRedistribution(List<Section> out, List<String> prefixes) {
    int routeMapAt = removePlace(out, ROUTE_MAP_PLACE);
    int at = removePlace(out, PREFIX_LIST_PLACE);
    if (prefixes.isEmpty()) {
      return;
    }
    if (routeMapAt > at && at >= 0) {
      routeMapAt--;
    }
    if (at < 0) {
      at = indexAfterLast(out, "ip prefix-list ");
    }
    if (at < 0) {
      at = indexAfterLast(out, "router ");
    }
    if (at < 0) {
      at = out.size();
    }
    for (int i = 0; i < prefixes.size(); i++) {
      out.add(at + i, new Section(PREFIX_LIST + "seq " + (5 * (i + 1)) + " permit " + prefixes.get(i), List.of(),
          false));
    }
    if (routeMapAt >= at) {
      routeMapAt += prefixes.size();
    }
    if (routeMapAt < 0) {
      routeMapAt = indexAfterLast(out, "route-map ");
    }
    out.add(routeMapAt < 0 ? at + prefixes.size() : routeMapAt, ROUTE_MAP_SECTION);
  }

  private static int indexAfterLast(List<Section> out, String headPrefix) {
    for (int i = out.size() - 1; i >= 0; i--) {
      if (out.get(i).head().startsWith(headPrefix)) {
        return i + 1;
      }
    }
    return -1;
  }

  /**
   * The file text as FRR writes it: each block after a {@code !}, a run of top-level lines after a {@code !} too
   * when a block precedes it (the prefix-lists after {@code router ospf}), then {@code end}.
   */
  String render() {
    StringBuilder sb = new StringBuilder();
    boolean afterBlock = false;
    for (Section s : sections) {
      if (s.isBlock()) {
        sb.append("!\n").append(s.head()).append('\n');
        s.body().forEach(l -> sb.append(l).append('\n'));
        sb.append("exit\n");
      } else {
        sb.append(afterBlock ? "!\n" : "").append(s.head()).append('\n');
      }
      afterBlock = s.isBlock();
    }
    return sb.append("!\nend\n").toString();
  }

  /**
   * {@code router ospf}'s owned lines as FRR prints them: router id, fast convergence's throttles, the redistribute
   * line, passive default, networks by address.
   */
  static List<String> routerLines(OspfRouter router) {
    List<String> lines = new ArrayList<>();
    lines.add(" ospf router-id " + router.routerId());
    if (router.fastConvergence()) {
      lines.addAll(FAST_CONVERGENCE);
    }
    if (!router.redistribute().isEmpty()) {
      lines.add(REDISTRIBUTE_LINE);
    }
    lines.add(PASSIVE_DEFAULT);
    router.networks().entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, String> e) -> prefixOrder(e.getKey())))
        .forEach(e -> lines.add(" network " + e.getKey() + " area " + e.getValue()));
    return lines;
  }

  /** FRR keeps network statements in a route table: by address as an unsigned number, then by prefix length. */
  static long prefixOrder(String cidr) {
    int slash = cidr.indexOf('/');
    byte[] a = Cidr.address(cidr.substring(0, slash)).getAddress();
    long address = ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
    return (address << 6) | Integer.parseInt(cidr.substring(slash + 1));
  }

  private static int redistributeRank(String line) {
    for (int i = 0; i < REDISTRIBUTE_ORDER.size(); i++) {
      if (line.equals(REDISTRIBUTE_ORDER.get(i)) || line.startsWith(REDISTRIBUTE_ORDER.get(i) + " ")) {
        return i;
      }
    }
    return REDISTRIBUTE_ORDER.size();
  }

  private static boolean ownedRouterLine(String line) {
    return ROUTER_ID.matcher(line).matches() || NETWORK.matcher(line).matches() || line.equals(PASSIVE_DEFAULT)
        || line.equals(REDISTRIBUTE_LINE)
        || THROTTLE_PREFIXES.stream().anyMatch(line::startsWith);
  }

  private static boolean ownedInterfaceLine(String line) {
    return OWNED_INTERFACE_PREFIXES.stream().anyMatch(line::startsWith);
  }

  private static void addIfNotEmpty(List<Section> out, String head, List<String> body) {
    if (!body.isEmpty()) {
      out.add(new Section(head, body, true));
    }
  }

  /**
   * {@code router ospf} in ospfd's order: the router id first, the other settings, the throttles, the redistribute
   * lines, {@code passive-interface default}, the network statements, then area settings. The order only matters
   * to the file's reader: FRR and frr-reload compare lines, not positions.
   */
  private static List<String> routerBody(List<String> owned, List<String> kept) {
    if (owned.isEmpty()) {
      return kept;
    }
    List<String> redistribute = new ArrayList<>(kept.stream().filter(l -> l.startsWith(" redistribute ")).toList());
    List<String> body = new ArrayList<>();
    body.add(owned.get(0));
    kept.stream().filter(l -> !l.startsWith(" area ") && !l.startsWith(" redistribute ")).forEach(body::add);
    for (String line : owned.subList(1, owned.size())) {
      if (line.equals(REDISTRIBUTE_LINE)) {
        redistribute.add(line);
      } else {
        if (line.equals(PASSIVE_DEFAULT)) {
          redistribute.sort(Comparator.comparingInt(FrrConfig::redistributeRank));
          body.addAll(redistribute);
        }
        body.add(line);
      }
    }
    kept.stream().filter(l -> l.startsWith(" area ")).forEach(body::add);
    return body;
  }
}

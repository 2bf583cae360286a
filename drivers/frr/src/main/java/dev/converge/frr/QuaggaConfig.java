package dev.converge.frr;

import dev.converge.frr.OspfRouter.OspfInterface;
import dev.converge.resource.Sensitive;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Quagga 1.2 configuration as its files ({@code zebra.conf}, {@code ospfd.conf}) and {@code vtysh -c 'show
 * running-config'} hold it: top-level lines, then sections ({@code interface tap1}, {@code router ospf}) whose
 * indented lines end at a {@code !}. Quagga has no {@code exit} and no per-interface passive line: passivity lives in
 * {@code router ospf} ({@code passive-interface default}, {@code no passive-interface tap1}), as in the seed.
 *
 * <p>converge owns, in {@code router ospf}: the router id, {@code passive-interface default}, the per-interface
 * passive lines, the network statements and {@code area … authentication}; in {@code interface X} for the interfaces
 * of its resource: network type, MD5 authentication and key, hello and dead intervals. Every other line (a {@code
 * description}, a password, {@code line vty}) is kept as it is.
 */
final class QuaggaConfig {

  static final String ROUTER_OSPF = "router ospf";
  private static final String INTERFACE = "interface ";
  private static final String PASSIVE_DEFAULT = " passive-interface default";

  private static final Pattern ROUTER_ID = Pattern.compile(" ospf router-id (\\S+)");
  private static final Pattern NETWORK = Pattern.compile(" network (\\S+) area (\\S+)");
  private static final Pattern PASSIVE = Pattern.compile(" (no )?passive-interface (\\S+)");
  private static final Pattern AREA_AUTHENTICATION = Pattern.compile(" area (\\S+) authentication( message-digest)?");
  private static final Pattern HELLO = Pattern.compile(" ip ospf hello-interval (\\d+)");
  private static final Pattern DEAD = Pattern.compile(" ip ospf dead-interval (\\d+)");
  private static final Pattern KEY = Pattern.compile(" ip ospf message-digest-key (\\d+) md5 (\\S+)");
  private static final Pattern NETWORK_TYPE = Pattern.compile(" ip ospf network (\\S+)");
  private static final List<String> OWNED_INTERFACE_PREFIXES = List.of(" ip ospf authentication",
      " ip ospf dead-interval", " ip ospf hello-interval", " ip ospf message-digest-key", " ip ospf network");

  /** One top-level line with the indented lines under it. */
  record Section(String head, List<String> body) {
    Section {
      body = List.copyOf(body);
    }
  }

  private final List<Section> sections;

  private QuaggaConfig(List<Section> sections) {
    this.sections = List.copyOf(sections);
  }

  /** Parses a file or {@code show running-config} (its banner, comments, {@code !} and {@code end} dropped). */
  static QuaggaConfig parse(String text) {
    List<Section> sections = new ArrayList<>();
    String head = null;
    List<String> body = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String l = line.stripTrailing();
      if (l.startsWith(" ")) {
        if (head == null) {
          throw new IllegalArgumentException("indented line outside any section: `" + l.strip() + "`");
        }
        body.add(l);
        continue;
      }
      if (head != null) {
        sections.add(new Section(head, body));
        head = null;
        body = new ArrayList<>();
      }
      if (!(l.isEmpty() || l.startsWith("!") || l.equals("end") || l.equals("Building configuration...")
          || l.equals("Current configuration:"))) {
        head = l;
      }
    }
    if (head != null) {
      sections.add(new Section(head, body));
    }
    return new QuaggaConfig(sections);
  }

  List<Section> sections() {
    return sections;
  }

  boolean hasRouterOspf() {
    return section(ROUTER_OSPF).isPresent();
  }

  private Optional<Section> section(String head) {
    return sections.stream().filter(s -> s.head().equals(head)).findFirst();
  }

  /** The owned parts, for {@code managedInterfaces}; areas are left empty (ospfd reports them, see the probe). */
  OspfRouter ospf(Iterable<String> managedInterfaces) {
    List<String> router = section(ROUTER_OSPF).map(Section::body).orElse(List.of());
    String routerId = "";
    boolean passiveDefault = router.contains(PASSIVE_DEFAULT);
    Map<String, Boolean> passive = new TreeMap<>();
    SortedMap<String, String> networks = new TreeMap<>();
    for (String line : router) {
      Matcher m;
      if ((m = ROUTER_ID.matcher(line)).matches()) {
        routerId = m.group(1);
      } else if ((m = NETWORK.matcher(line)).matches()) {
        networks.put(m.group(1), m.group(2));
      } else if ((m = PASSIVE.matcher(line)).matches() && !line.equals(PASSIVE_DEFAULT)) {
        passive.put(m.group(2), m.group(1) == null);
      }
    }
    SortedMap<String, OspfInterface> interfaces = new TreeMap<>();
    for (String name : managedInterfaces) {
      List<String> body = section(INTERFACE + name).map(Section::body).orElse(List.of());
      interfaces.put(name, interfaceOf(body, passive.getOrDefault(name, passiveDefault)));
    }
    return new OspfRouter(routerId, interfaces, networks, false, new TreeMap<>(), List.of(), List.of());
  }

  private static OspfInterface interfaceOf(List<String> body, boolean passive) {
    Optional<String> type = Optional.empty();
    OptionalLong hello = OptionalLong.empty();
    OptionalLong dead = OptionalLong.empty();
    Optional<Sensitive> key = Optional.empty();
    for (String line : body) {
      Matcher m;
      if ((m = HELLO.matcher(line)).matches()) {
        hello = OptionalLong.of(Long.parseLong(m.group(1)));
      } else if ((m = DEAD.matcher(line)).matches()) {
        dead = OptionalLong.of(Long.parseLong(m.group(1)));
      } else if ((m = KEY.matcher(line)).matches() && m.group(1).equals("1")) {
        key = Optional.of(new Sensitive(m.group(2)));
      } else if ((m = NETWORK_TYPE.matcher(line)).matches()) {
        type = Optional.of(m.group(1));
      }
    }
    return new OspfInterface(Optional.empty(), type, hello, dead, key, passive);
  }

  /**
   * This configuration with converge's lines replaced by those of {@code router} (removed when empty) on its
   * interfaces and {@code formerInterfaces}; with {@code ospfd} false, only the interface sections themselves (what
   * zebra.conf holds). New interface sections go before {@code router ospf}, where Quagga writes them.
   */
  QuaggaConfig with(Optional<OspfRouter> router, Iterable<String> formerInterfaces, boolean ospfd) {
    Map<String, List<String>> wanted = new LinkedHashMap<>();
    formerInterfaces.forEach(name -> wanted.put(INTERFACE + name, List.of()));
    router.ifPresent(r -> r.interfaces().forEach((name, i) -> wanted.put(INTERFACE + name,
        ospfd ? interfaceLines(i) : List.of())));
    List<String> routerLines = router.filter(r -> ospfd).map(QuaggaConfig::routerLines).orElse(List.of());
    List<String> kept = router.map(r -> List.copyOf(r.interfaces().keySet())).orElse(List.of());

    List<Section> out = new ArrayList<>();
    boolean routerSeen = false;
    for (Section s : sections) {
      if (s.head().equals(ROUTER_OSPF) && ospfd) {
        routerSeen = true;
        List<String> body = new ArrayList<>(routerLines);
        s.body().stream().filter(l -> !ownedRouterLine(l)).forEach(body::add);
        if (!body.isEmpty()) {
          out.add(new Section(s.head(), body));
        }
      } else if (wanted.containsKey(s.head())) {
        List<String> body = new ArrayList<>(s.body().stream().filter(l -> !ownedInterfaceLine(l)).toList());
        body.addAll(wanted.remove(s.head()));
        String name = s.head().substring(INTERFACE.length());
        if (!body.isEmpty() || kept.contains(name)) {
          out.add(new Section(s.head(), body));
        }
      } else {
        out.add(s);
      }
    }
    int at = 0;
    while (at < out.size() && !out.get(at).head().startsWith("router ") && !out.get(at).head().startsWith("line ")) {
      at++;
    }
    for (Map.Entry<String, List<String>> e : new TreeMap<>(wanted).entrySet()) {
      if (kept.contains(e.getKey().substring(INTERFACE.length()))) {
        out.add(at++, new Section(e.getKey(), e.getValue()));
      }
    }
    if (!routerSeen && !routerLines.isEmpty()) {
      out.add(at, new Section(ROUTER_OSPF, routerLines));
    }
    return new QuaggaConfig(out);
  }

  /** This configuration with {@code hostname NAME} first, unless it names the host already. */
  QuaggaConfig withHostname(String name) {
    if (sections.stream().anyMatch(s -> s.head().startsWith("hostname "))) {
      return this;
    }
    List<Section> out = new ArrayList<>(List.of(new Section("hostname " + name, List.of())));
    out.addAll(sections);
    return new QuaggaConfig(out);
  }

  /** The file text as Quagga writes it: top-level lines, each section after a {@code !} and closed by one. */
  String render() {
    StringBuilder sb = new StringBuilder();
    boolean inBlocks = false;
    for (Section s : sections) {
      boolean block = !s.body().isEmpty() || s.head().startsWith(INTERFACE) || s.head().startsWith("router ")
          || s.head().startsWith("line ");
      if (block && !inBlocks) {
        sb.append("!\n");
      }
      inBlocks |= block;
      sb.append(s.head()).append('\n');
      s.body().forEach(l -> sb.append(l).append('\n'));
      if (block) {
        sb.append("!\n");
      }
    }
    return sb.toString();
  }

  /**
   * An interface's lines in the order ospfd's config writer prints them: network type, authentication, the key,
   * hello, then dead interval. Passive is not an interface line in Quagga.
   */
  static List<String> interfaceLines(OspfInterface i) {
    List<String> lines = new ArrayList<>();
    i.networkType().ifPresent(t -> lines.add(" ip ospf network " + t));
    if (i.md5Key().isPresent()) {
      lines.add(" ip ospf authentication message-digest");
      lines.add(" ip ospf message-digest-key 1 md5 " + i.md5Key().get().value());
    }
    i.hello().ifPresent(h -> lines.add(" ip ospf hello-interval " + h));
    i.dead().ifPresent(d -> lines.add(" ip ospf dead-interval " + d));
    return lines;
  }

  /**
   * {@code router ospf} as the seed writes it: router id, {@code passive-interface default}, {@code no
   * passive-interface} per active interface, the networks by address, then {@code area … authentication} for every
   * area with an authenticated interface (the interfaces' {@code message-digest} lines choose MD5).
   */
  static List<String> routerLines(OspfRouter router) {
    if (router.fastConvergence()) {
      throw new IllegalArgumentException("fast convergence needs FRR: Quagga's ospfd has no LSA throttles to drop");
    }
    List<String> lines = new ArrayList<>();
    lines.add(" ospf router-id " + router.routerId());
    lines.add(PASSIVE_DEFAULT);
    router.interfaces().forEach((name, i) -> {
      if (!i.passive()) {
        lines.add(" no passive-interface " + name);
      }
    });
    router.networks().entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, String> e) -> FrrConfig.prefixOrder(e.getKey())))
        .forEach(e -> lines.add(" network " + e.getKey() + " area " + e.getValue()));
    router.interfaces().values().stream().filter(i -> i.md5Key().isPresent()).map(i -> i.area().orElse("0.0.0.0"))
        .distinct().sorted().forEach(area -> lines.add(" area " + area + " authentication"));
    return lines;
  }

  /**
   * The vtysh commands that turn {@code running}'s owned lines into {@code desired}'s, without touching what did not
   * change: per section, each line no longer wanted undone (unless a wanted line sets the same thing again), then the
   * new lines. Empty when nothing changed.
   */
  static List<String> commands(QuaggaConfig running, OspfRouter desired, Iterable<String> formerInterfaces) {
    QuaggaConfig target = running.with(Optional.of(desired), formerInterfaces, true);
    List<String> commands = new ArrayList<>();
    Map<String, List<String>> before = owned(running);
    Map<String, List<String>> after = owned(target);
    List<String> heads = new ArrayList<>(new TreeMap<>(before).keySet());
    after.keySet().stream().filter(h -> !before.containsKey(h)).sorted().forEach(heads::add);
    // interfaces first: an interface's key must be there before its adjacency is allowed to form
    heads.sort(Comparator.comparing((String h) -> h.equals(ROUTER_OSPF)));
    for (String head : heads) {
      List<String> was = before.getOrDefault(head, List.of());
      List<String> will = after.getOrDefault(head, List.of());
      List<String> section = new ArrayList<>();
      for (String line : was) {
        if (!will.contains(line) && (line.startsWith(" ip ospf message-digest-key")
            || will.stream().noneMatch(w -> setting(w).equals(setting(line))))) {
          section.add(undo(line));
        }
      }
      will.stream().filter(l -> !was.contains(l)).map(String::strip).forEach(section::add);
      if (!section.isEmpty()) {
        commands.add(head);
        commands.addAll(section);
        commands.add("exit");
      }
    }
    if (!commands.isEmpty()) {
      commands.add(0, "configure terminal");
    }
    return commands;
  }

  private static Map<String, List<String>> owned(QuaggaConfig config) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Section s : config.sections) {
      if (s.head().equals(ROUTER_OSPF)) {
        out.put(s.head(), s.body().stream().filter(QuaggaConfig::ownedRouterLine).toList());
      } else if (s.head().startsWith(INTERFACE)) {
        out.put(s.head(), s.body().stream().filter(QuaggaConfig::ownedInterfaceLine).toList());
      }
    }
    return out;
  }

  /** What a line sets, without its value: two lines with the same setting replace each other. */
  private static String setting(String line) {
    for (Pattern p : List.of(ROUTER_ID, HELLO, DEAD, NETWORK_TYPE)) {
      Matcher m = p.matcher(line);
      if (m.matches()) {
        return line.substring(0, m.start(1)).strip();
      }
    }
    return line.strip();
  }

  /** The command that takes {@code line} back. */
  private static String undo(String line) {
    String l = line.strip();
    Matcher key = KEY.matcher(line);
    if (key.matches()) {
      return "no ip ospf message-digest-key " + key.group(1);
    }
    if (l.startsWith("no ")) {
      return l.substring(3);
    }
    String setting = setting(line);
    return "no " + (setting.equals(l) ? l : setting);
  }

  private static boolean ownedRouterLine(String line) {
    return ROUTER_ID.matcher(line).matches() || NETWORK.matcher(line).matches() || PASSIVE.matcher(line).matches()
        || AREA_AUTHENTICATION.matcher(line).matches();
  }

  private static boolean ownedInterfaceLine(String line) {
    return OWNED_INTERFACE_PREFIXES.stream().anyMatch(line::startsWith);
  }
}

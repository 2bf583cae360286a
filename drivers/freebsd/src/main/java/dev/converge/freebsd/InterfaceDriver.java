package dev.converge.freebsd;

import com.google.common.net.InetAddresses;
import dev.converge.compile.Tunnel;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.spec.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code interface} resource on FreeBSD: a network interface and the IPv4 addresses converge owns on it, live
 * (ifconfig) and at boot (rc.conf through sysrc).
 *
 * <p><b>Resource.</b> Id {@code interface/HOST:IFNAME}; {@code type} ({@value #LOOPBACK}, {@value #BRIDGE} or
 * {@value #LINK}), {@code addresses} (CIDR strings such as {@code 172.16.2.1/30}), {@code managed} (the prefixes
 * converge owns on the interface), {@code peer} (links only, echoed back), {@code tunnel} (a link converge builds
 * as a GRE or WireGuard tunnel: see {@link LinkTunnel}, which also says how boot rebuilds it).
 *
 * <p><b>Probe.</b> One exec per batch: the {@code cloned_interfaces} and {@code ifconfig_*} lines of
 * {@code sysrc -a}, and {@code ifconfig IF} per interface. Only addresses inside {@code managed} are reported;
 * one that is live but not in rc.conf, or the reverse, is reported as {@code "A/N (not in rc.conf)"} or
 * {@code "A/N (only in rc.conf)"}; a cloned interface that is down, or missing from {@code cloned_interfaces}, as
 * {@code "loopback (down)"} or {@code "loopback (not in cloned_interfaces)"}; so the plan says what is wrong now
 * or what boot would lose. A missing interface is observed absent, except the link of a link the spec dropped
 * (a link without addresses), which is as wanted once nothing of converge's is left of it in rc.conf. A resource the spec dropped is observed present only for a cloned loopback or bridge: a link's
 * addresses cannot be told from others' without the {@code managed} prefixes, and converge never creates a link.
 *
 * <p><b>Apply.</b> Reads the interface afresh, then: creates a missing loopback or bridge ({@code ifconfig IF
 * create}) and brings it up, fails on a missing link (unless it is to hold no addresses), naming host and interface; removes managed addresses the spec
 * no longer lists ({@code ifconfig IF inet A -alias}) and adds missing ones ({@code ifconfig IF inet A/N alias},
 * never without {@code alias}, which would replace the first address); then edits rc.conf under the host's rc.conf
 * lock: {@code cloned_interfaces+=IF}, the managed addresses as {@code ifconfig_IF_aliasN} renumbered without gaps,
 * every other value left alone. A delete destroys the cloned interface and removes it and its variables from
 * rc.conf. A tunnel is made, fixed and deleted in the same way, live and at boot ({@link LinkTunnel}); a GRE
 * tunnel's addresses name the peer's end of the /30 as destination, as point-to-point interfaces need.
 */
public final class InterfaceDriver implements Driver {

  public static final String KIND = "interface";
  public static final String TYPE = "type";
  public static final String ADDRESSES = "addresses";
  public static final String MANAGED = "managed";
  public static final String PEER = "peer";
  public static final String LOOPBACK = "loopback";
  public static final String BRIDGE = "bridge";
  public static final String LINK = "link";
  public static final String TUNNEL = "tunnel";

  /** IFNAMSIZ is 16 with the terminating NUL; a leading letter keeps a name from reading as an option. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,14}");
  /** Cloned interfaces converge may create and destroy; lo0 is the system's own and never one of them. */
  private static final Pattern CLONED_LOOPBACK = Pattern.compile("lo[1-9][0-9]{0,3}");
  private static final Pattern CLONED_BRIDGE = Pattern.compile("bridge[0-9]{1,4}");
  private static final String WIREGUARD_INTERFACES = "wireguard_interfaces";

  /**
   * Preamble: rc.conf's {@code cloned_interfaces} and {@code ifconfig_*} lines tagged {@code rc}. Per interface:
   * ifconfig's lines tagged {@code l}, or its error tagged {@code missing}.
   */
  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      sysrc -a 2>/dev/null | while IFS= read -r l; do
        case $l in cloned_interfaces:*|ifconfig_*|create_args_*|wireguard_*) printf 'rc %s\\n' "$l";; esac
      done
      for i do
        printf '= %s\\n' "$i"
        if s=$(ifconfig "$i" 2>&1); then printf '%s\\n' "$s" | lines l; else printf '%s\\n' "$s" | lines missing; fi
        case $s in *"groups: wg"*)
          wg show "$i" dump 2>/dev/null | {
            IFS=$(printf '\\t') read -r key pub port fwmark || exit 0
            printf 'wgi %s %s\\n' "$(printf %s "$key" | sha256 -q)" "$port"
            lines wgp
          };;
        esac
        c=/usr/local/etc/wireguard/$i.conf
        if [ -f "$c" ]; then printf 'wgconf %s\\n' "$(sha256 -q "$c")"; fi
      done
      exit 0
      """;

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    List<Optional<Wanted>> wanted = new ArrayList<>();
    for (Resource r : batch) {
      try {
        names.add(validName(r.id().name(), target.name()));
        wanted.add(r.isPresent() ? Optional.of(Wanted.of(r, target.name())) : Optional.empty());
      } catch (IllegalArgumentException e) {
        throw new ProbeException(e.getMessage(), e);
      }
    }
    Remote remote = Remote.forProbe(target, "interfaces");
    ExecResult r = remote.probe(ProbeOutput.script(SCRIPT, names), "interfaces");
    ProbeOutput out = ProbeOutput.parse(r.out());
    List<Observation> observations = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Resource res = batch.get(i);
      String name = names.get(i);
      ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ProbeException("cannot probe interfaces on "
          + target.name() + ": no answer for `" + name + "`" + Remote.detail(r)));
      Seen seen = Seen.of(name, out.preamble(), s);
      observations.add(wanted.get(i).map(w -> observe(res, w, seen)).orElseGet(() -> observeDropped(res, seen)));
    }
    return observations;
  }

  private static Observation observe(Resource res, Wanted w, Seen seen) {
    if (seen.live().isEmpty() && w.releasedLink()) {
      // the interface of a dropped link may be gone with it: only what rc.conf would bring back at boot is left
      return Observation.present(res.id(), Properties.builder()
          .put(TYPE, LINK)
          .put(ADDRESSES, seen.rc().addresses().stream().filter(a -> a.within(w.managed()))
              .map(a -> a + " (only in rc.conf)").sorted().toList())
          .put(MANAGED, res.properties().get(MANAGED))
          .put(PEER, res.properties().get(PEER))
          .build());
    }
    if (seen.live().isEmpty()) {
      return Observation.absent(res.id());
    }
    IfconfigStatus live = seen.live().get();
    Optional<SortedMap<String, Object>> tunnel = w.tunnel().map(t -> t.observed(live.groups(), seen.lines(),
        seen.section().all("wgi"), seen.section().all("wgp"), persisted(t, w, seen)));
    String type = live.type();
    if ((!type.equals(LINK) || w.tunnel().isPresent()) && !live.up()) {
      // a tunnel converge made is brought up like a clone; a plain link's state is the cable's business
      type += " (down)";
    } else if (!type.equals(LINK) && !seen.rc().cloned()) {
      type += " (not in " + InterfaceRcConf.CLONED + ")";
    }
    List<InterfaceAddress> up = live.addresses().stream().filter(a -> a.within(w.managed())).toList();
    // a WireGuard link's addresses are rebuilt at boot from its wg-quick file, whose hash the tunnel's kind covers
    List<InterfaceAddress> boot = w.wireguard() ? up
        : seen.rc().addresses().stream().filter(a -> a.within(w.managed())).toList();
    TreeSet<String> addresses = new TreeSet<>();
    for (InterfaceAddress a : up) {
      addresses.add(boot.contains(a) ? a.toString() : a + " (not in rc.conf)");
    }
    for (InterfaceAddress a : boot) {
      if (!up.contains(a)) {
        addresses.add(a + " (only in rc.conf)");
      }
    }
    return Observation.present(res.id(), Properties.builder()
        .put(TYPE, type)
        .put(ADDRESSES, List.copyOf(addresses))
        .put(MANAGED, res.properties().get(MANAGED))
        .put(PEER, res.properties().get(PEER))
        .put(TUNNEL, tunnel)
        .build());
  }

  /** Whether boot rebuilds {@code t} as wanted: GRE's rc.conf variables, or the wg-quick file and its listing. */
  private static boolean persisted(LinkTunnel t, Wanted w, Seen seen) {
    List<String> rc = seen.rcLines();
    if (t.kind().equals(Tunnel.GRE)) {
      return LinkTunnel.greUnit(w.name(), rc).flatMap(u -> LinkTunnel.rcValue(rc, "create_args_" + u))
          .filter(t.createArgs()::equals).isPresent();
    }
    boolean listed = LinkTunnel.rcValue(rc, WIREGUARD_INTERFACES).map(v -> List.of(v.split("\\s+")))
        .filter(l -> l.contains(w.name())).isPresent();
    return listed && seen.section().first("wgconf")
        .filter(Tunnel.sha256(t.wgQuickConf(w.name(), w.addresses()))::equals).isPresent();
  }

  /** A dropped resource is present while a cloned interface of its name exists live or in rc.conf. */
  private static Observation observeDropped(Resource res, Seen seen) {
    String name = res.id().name();
    Optional<String> tunnel = tunnelKind(name, seen);
    if (tunnel.isPresent()) {
      return Observation.present(res.id(), Properties.builder().put(TYPE, tunnel.get()).build());
    }
    boolean cloned = CLONED_LOOPBACK.matcher(name).matches() || CLONED_BRIDGE.matcher(name).matches();
    if (!cloned || seen.live().isEmpty() && !seen.rc().cloned() && seen.rc().variables().isEmpty()) {
      return Observation.absent(res.id());
    }
    return Observation.present(res.id(), Properties.builder()
        .put(TYPE, seen.live().map(IfconfigStatus::type).orElse(name.startsWith("lo") ? LOOPBACK : BRIDGE))
        .put(ADDRESSES, seen.live().map(l -> l.addresses().stream().map(InterfaceAddress::toString).sorted()
            .toList()).orElse(List.of()))
        .build());
  }

  /** The kind of tunnel converge left behind under {@code name}: live, in rc.conf or as a wg-quick file. */
  private static Optional<String> tunnelKind(String name, Seen seen) {
    List<String> groups = seen.live().map(IfconfigStatus::groups).orElse(List.of());
    if (groups.contains("gre") || LinkTunnel.greUnit(name, seen.rcLines()).isPresent()) {
      return Optional.of(Tunnel.GRE);
    }
    if (groups.contains("wg") || seen.section().has("wgconf")) {
      return Optional.of(Tunnel.WIREGUARD);
    }
    return Optional.empty();
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    Resource desired = change.desired();
    String name;
    Optional<Wanted> wanted;
    try {
      name = validName(desired.id().name(), target.name());
      wanted = desired.isPresent() ? Optional.of(Wanted.of(desired, target.name())) : Optional.empty();
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    String what = "interface `" + name + "`";
    Remote remote = Remote.forAction(target, what);
    Seen seen = seen(remote, name, what);
    if (wanted.isPresent()) {
      converge(remote, wanted.get(), seen, what);
    } else {
      remove(remote, name, seen, what);
    }
  }

  private static void converge(Remote remote, Wanted w, Seen seen, String what) throws ActionException {
    String name = w.name();
    List<InterfaceAddress> live = List.of();
    if (seen.live().isEmpty() && w.releasedLink()) {
      // nothing live to take addresses off: rc.conf below
    } else if (seen.live().isEmpty() && w.tunnel().isPresent()) {
      for (Command c : w.tunnel().get().create(name)) {
        remote.run(c, what);
      }
      if (w.wireguard()) {
        for (Command c : w.tunnel().get().configureWireguard(name, Optional.empty())) {
          remote.run(c, what);
        }
      }
      remote.run(Command.of("ifconfig", name, "up"), what);
    } else if (seen.live().isEmpty()) {
      if (w.type().equals(LINK)) {
        throw new ActionException(what + " on " + remote.host() + ": the link interface does not exist, and "
            + "converge does not create links yet (expected the point-to-point interface to the peer to exist"
            + seen.error().map(e -> "; ifconfig: " + e).orElse("") + ")");
      }
      remote.run(Command.of("ifconfig", name, "create"), what);
      remote.run(Command.of("ifconfig", name, "up"), what);
    } else {
      IfconfigStatus status = seen.live().get();
      if (!status.type().equals(w.type())) {
        throw new ActionException(what + " on " + remote.host() + ": it is a " + status.type() + " (groups: "
            + String.join(" ", status.groups()) + "), expected a " + w.type() + "; converge leaves it as it is");
      }
      if (w.tunnel().isPresent()) {
        fixTunnel(remote, w, seen, status, what);
      }
      live = status.addresses().stream().filter(a -> a.within(w.managed())).toList();
      if (!w.type().equals(LINK) && !status.up()) {
        remote.run(Command.of("ifconfig", name, "up"), what);
      }
    }
    for (InterfaceAddress a : live) {
      if (!w.addresses().contains(a)) {
        remote.run(Command.of("ifconfig", name, "inet", a.host(), "-alias"), what);
      }
    }
    for (InterfaceAddress a : w.addresses()) {
      if (!live.contains(a)) {
        List<String> argv = new ArrayList<>(List.of("ifconfig", name, "inet", a.toString()));
        w.destination(a).ifPresent(argv::add);
        argv.add("alias");
        remote.run(Command.of(argv), what);
      }
    }
    if (w.wireguard()) {
      persistWireguard(remote, w, seen, what);
      return;
    }
    InterfaceRcConf rc = seen.rc();
    InterfaceRcConf.Edit edit = rc.edit(w.addresses(), w.managed(), w::destination);
    SortedMap<String, String> set = new TreeMap<>(edit.set());
    boolean cloned = !w.type().equals(LINK);
    if (cloned && rc.main().isEmpty()) {
      // brings the interface up at boot even while it holds no address
      set.put(InterfaceRcConf.variable(name), "up");
    }
    List<Command> sysrc = new ArrayList<>();
    if (cloned && !rc.cloned()) {
      sysrc.add(Command.of("sysrc", InterfaceRcConf.CLONED + "+=" + name));
    }
    if (!set.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("sysrc"));
      set.forEach((k, v) -> argv.add(k + "=" + v));
      sysrc.add(Command.of(argv));
    }
    if (!edit.unset().isEmpty()) {
      sysrc.add(unset(edit.unset()));
    }
    w.tunnel().ifPresent(t -> sysrc.addAll(greRcConf(t, name, seen.rcLines())));
    remote.sysrc(sysrc, what + " in rc.conf");
  }

  /** An existing tunnel of the right kind, its ends, key, port or peer put right; any other kind is refused. */
  private static void fixTunnel(Remote remote, Wanted w, Seen seen, IfconfigStatus status, String what)
      throws ActionException {
    LinkTunnel t = w.tunnel().orElseThrow();
    String name = w.name();
    if (!t.isKindOf(status.groups())) {
      throw new ActionException(what + " on " + remote.host() + ": it is not a " + t.kind() + " tunnel (groups: "
          + String.join(" ", status.groups()) + "); converge does not replace an interface it did not make");
    }
    SortedMap<String, Object> now = t.observed(status.groups(), seen.lines(), seen.section().all("wgi"),
        seen.section().all("wgp"), true);
    SortedMap<String, Object> wanted = t.tunnel().asMap();
    if (t.kind().equals(Tunnel.GRE)) {
      if (!wanted.get("local").equals(now.get("local")) || !wanted.get("remote").equals(now.get("remote"))) {
        remote.run(Command.of("ifconfig", name, "tunnel", t.tunnel().local(), t.tunnel().remote()), what);
      }
    } else if (!wanted.equals(now)) {
      for (Command c : t.configureWireguard(name, Optional.ofNullable((String) now.get("peer-public-key")))) {
        remote.run(c, what);
      }
    }
    if (!status.up()) {
      remote.run(Command.of("ifconfig", name, "up"), what);
    }
  }

  /** GRE at boot: its own cloned unit, created with the tunnel's ends and renamed to the link's name. */
  private static List<Command> greRcConf(LinkTunnel t, String name, List<String> rc) {
    Optional<String> unit = LinkTunnel.greUnit(name, rc);
    String u = unit.orElseGet(() -> LinkTunnel.freeGreUnit(rc));
    List<Command> out = new ArrayList<>();
    if (unit.isEmpty()) {
      out.add(Command.of("sysrc", InterfaceRcConf.CLONED + "+=" + u));
    }
    List<String> argv = new ArrayList<>(List.of("sysrc"));
    if (unit.isEmpty()) {
      argv.add(InterfaceRcConf.variable(u) + "_name=" + name);
    }
    if (!LinkTunnel.rcValue(rc, "create_args_" + u).filter(t.createArgs()::equals).isPresent()) {
      argv.add("create_args_" + u + "=" + t.createArgs());
    }
    if (argv.size() > 1) {
      out.add(Command.of(argv));
    }
    return out;
  }

  /** WireGuard at boot: the wg-quick file (0600, it holds the key) and wireguard-tools' rc.conf listing. */
  private static void persistWireguard(Remote remote, Wanted w, Seen seen, String what) throws ActionException {
    LinkTunnel t = w.tunnel().orElseThrow();
    String conf = t.wgQuickConf(w.name(), w.addresses());
    if (!seen.section().first("wgconf").filter(Tunnel.sha256(conf)::equals).isPresent()) {
      remote.run(Command.of("mkdir", "-p", "-m", "0700", LinkTunnel.WIREGUARD_DIR), what);
      remote.write(LinkTunnel.wgQuickPath(w.name()), conf, FileAttributes.mode(0600), what);
    }
    List<Command> sysrc = new ArrayList<>();
    List<String> rc = seen.rcLines();
    if (!LinkTunnel.rcValue(rc, WIREGUARD_INTERFACES).map(v -> List.of(v.split("\\s+")))
        .filter(l -> l.contains(w.name())).isPresent()) {
      sysrc.add(Command.of("sysrc", WIREGUARD_INTERFACES + "+=" + w.name()));
    }
    if (!LinkTunnel.rcValue(rc, "wireguard_enable").filter("YES"::equalsIgnoreCase).isPresent()) {
      sysrc.add(Command.of("sysrc", "wireguard_enable=YES"));
    }
    remote.sysrc(sysrc, what + " in rc.conf");
  }

  private static void remove(Remote remote, String name, Seen seen, String what) throws ActionException {
    Optional<String> tunnel = tunnelKind(name, seen);
    if (tunnel.isPresent()) {
      removeTunnel(remote, name, tunnel.get(), seen, what);
      return;
    }
    if (!CLONED_LOOPBACK.matcher(name).matches() && !CLONED_BRIDGE.matcher(name).matches()) {
      return;
    }
    if (seen.live().isPresent()) {
      String type = seen.live().get().type();
      if (type.equals(LINK)) {
        throw new ActionException(what + " on " + remote.host() + ": not removed, it is not a cloned loopback or "
            + "bridge (groups: " + String.join(" ", seen.live().get().groups()) + ")");
      }
      remote.run(Command.of("ifconfig", name, "destroy"), what);
    }
    List<Command> sysrc = new ArrayList<>();
    if (seen.rc().cloned()) {
      sysrc.add(Command.of("sysrc", InterfaceRcConf.CLONED + "-=" + name));
    }
    if (!seen.rc().variables().isEmpty()) {
      sysrc.add(unset(seen.rc().variables()));
    }
    remote.sysrc(sysrc, what + " in rc.conf");
  }

  /** A tunnel converge made: destroyed live, and everything that would rebuild it at boot removed. */
  private static void removeTunnel(Remote remote, String name, String kind, Seen seen, String what)
      throws ActionException {
    if (seen.live().isPresent()) {
      remote.run(Command.of("ifconfig", name, "destroy"), what);
    }
    List<Command> sysrc = new ArrayList<>();
    List<String> variables = new ArrayList<>(seen.rc().variables());
    if (kind.equals(Tunnel.GRE)) {
      Optional<String> unit = LinkTunnel.greUnit(name, seen.rcLines());
      unit.ifPresent(u -> {
        sysrc.add(Command.of("sysrc", InterfaceRcConf.CLONED + "-=" + u));
        variables.add(InterfaceRcConf.variable(u) + "_name");
        LinkTunnel.rcValue(seen.rcLines(), "create_args_" + u).ifPresent(v -> variables.add("create_args_" + u));
      });
    } else {
      if (seen.section().has("wgconf")) {
        remote.run(Command.of("rm", "-f", LinkTunnel.wgQuickPath(name)), what);
      }
      if (LinkTunnel.rcValue(seen.rcLines(), WIREGUARD_INTERFACES).map(v -> List.of(v.split("\\s+")))
          .filter(l -> l.contains(name)).isPresent()) {
        sysrc.add(Command.of("sysrc", WIREGUARD_INTERFACES + "-=" + name));
      }
    }
    if (!variables.isEmpty()) {
      sysrc.add(unset(variables));
    }
    remote.sysrc(sysrc, what + " in rc.conf");
  }

  private static Command unset(List<String> variables) {
    List<String> argv = new ArrayList<>(List.of("sysrc", "-x"));
    argv.addAll(variables);
    return Command.of(argv);
  }

  /** The interface as it is now: the probe script for this one name. */
  private static Seen seen(Remote remote, String name, String what) throws ActionException {
    ExecResult r = remote.exec(ProbeOutput.script(SCRIPT, List.of(name)), what);
    ProbeOutput out = ProbeOutput.parse(r.out());
    ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ActionException("cannot change " + what
        + " on " + remote.host() + ": reading it failed" + Remote.detail(r)));
    return Seen.of(name, out.preamble(), s);
  }

  private static String validName(String name, String host) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("interface `" + name + "` on " + host + ": not an interface name (expected"
          + " at most 15 letters, digits and `_.-`, starting with a letter)");
    }
    return name;
  }

  /** What one interface looks like: live (empty when it does not exist, with ifconfig's error) and in rc.conf. */
  private record Seen(Optional<IfconfigStatus> live, Optional<String> error, InterfaceRcConf rc,
      List<String> rcLines, ProbeOutput.Section section) {
    static Seen of(String name, ProbeOutput.Section preamble, ProbeOutput.Section s) {
      List<String> rcLines = preamble.all("rc");
      InterfaceRcConf rc = InterfaceRcConf.of(name, rcLines);
      if (s.has("missing")) {
        return new Seen(Optional.empty(), Optional.of(String.join(" ", s.all("missing")).strip()), rc, rcLines, s);
      }
      return new Seen(Optional.of(IfconfigStatus.parse(s.all("l"))), Optional.empty(), rc, rcLines, s);
    }

    /** ifconfig's lines. */
    List<String> lines() {
      return section.all("l");
    }
  }

  /** The desired interface, validated: a bad value fails naming host, interface and what was expected. */
  private record Wanted(String name, String type, List<InterfaceAddress> addresses, List<Cidr> managed,
      Optional<LinkTunnel> tunnel) {

    static Wanted of(Resource r, String host) {
      String name = r.id().name();
      String where = "interface `" + name + "` on " + host;
      String type = r.properties().string(TYPE).orElse("");
      boolean nameFits = switch (type) {
        case LOOPBACK -> CLONED_LOOPBACK.matcher(name).matches();
        case BRIDGE -> CLONED_BRIDGE.matcher(name).matches();
        case LINK -> true;
        default -> throw new IllegalArgumentException(where + ": type `" + type + "` is not one of " + LOOPBACK
            + ", " + BRIDGE + ", " + LINK);
      };
      if (!nameFits) {
        throw new IllegalArgumentException(where + ": a " + type + " converge creates must be named "
            + (type.equals(LOOPBACK) ? "loN with N ≥ 1 (lo0 is the system's)" : "bridgeN") + " on FreeBSD");
      }
      List<Cidr> managed = new ArrayList<>();
      for (String m : strings(r, MANAGED, where)) {
        Cidr c;
        try {
          c = Cidr.parse(m);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": managed " + e.getMessage(), e);
        }
        if (!c.isIpv4()) {
          throw new IllegalArgumentException(where + ": managed `" + m + "` is not IPv4 (expected IPv4 prefixes)");
        }
        managed.add(c);
      }
      List<InterfaceAddress> addresses = new ArrayList<>();
      for (String a : strings(r, ADDRESSES, where)) {
        InterfaceAddress address;
        try {
          address = InterfaceAddress.parse(a);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        if (!address.within(managed)) {
          throw new IllegalArgumentException(where + ": address " + a + " is outside the managed prefixes "
              + managed + " (expected every address inside one of them)");
        }
        addresses.add(address);
      }
      Optional<LinkTunnel> tunnel = r.properties().get(TUNNEL).filter(Map.class::isInstance).map(Map.class::cast)
          .map(t -> LinkTunnel.of(t, where));
      if (tunnel.isPresent() && !type.equals(LINK)) {
        throw new IllegalArgumentException(where + ": a tunnel on a " + type + " (expected one on a link only)");
      }
      return new Wanted(name, type, List.copyOf(addresses), List.copyOf(managed), tunnel);
    }

    boolean wireguard() {
      return tunnel.filter(t -> t.kind().equals(Tunnel.WIREGUARD)).isPresent();
    }

    /**
     * The destination a GRE link's address needs (gre(4) is point-to-point): the other host of its /30. Empty for
     * any other interface.
     */
    Optional<String> destination(InterfaceAddress a) {
      if (tunnel.filter(t -> t.kind().equals(Tunnel.GRE)).isEmpty() || a.prefix() != 30) {
        return Optional.empty();
      }
      int ip = InetAddresses.coerceToInteger(a.ip());
      return Optional.of(InetAddresses.toAddrString(InetAddresses.fromInteger((ip & ~3) | ((ip & 3) == 1 ? 2 : 1))));
    }

    /** The link of a dropped link: converge's addresses in its former /30 are to go, the interface may be gone. */
    boolean releasedLink() {
      return type.equals(LINK) && addresses.isEmpty();
    }

    private static List<String> strings(Resource r, String field, String where) {
      Object v = r.properties().get(field).orElse(List.of());
      if (!(v instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
        throw new IllegalArgumentException(where + ": `" + field + "` is " + v + " (expected a list of strings)");
      }
      return list.stream().map(String.class::cast).toList();
    }
  }
}

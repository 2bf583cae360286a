package dev.converge.linux;

import dev.converge.compile.Tunnel;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
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
import java.util.TreeSet;

/**
 * The {@code interface} resource ({@code interface/HOST:IFNAME}): an interface with the addresses converge wants on
 * it. Properties: {@code type} ({@code loopback}, {@code bridge} or {@code link}), {@code addresses} (sorted
 * {@code ADDRESS/PREFIX} strings), {@code managed} (the prefixes converge owns on the interface) and, for a link,
 * {@code peer}, and for a link converge builds, {@code tunnel} (see {@link LinkTunnel}). Live only: nothing is
 * persisted (the lab has no init system to replay it).
 *
 * <p><b>Probe.</b> One {@code ip -j -d addr show} for the batch (followed, in the same command, by
 * {@code wg show IF dump} of each WireGuard link, its private key hashed on the host: {@link #PROBE_WIREGUARD}). Only addresses inside {@code managed} are reported,
 * so an address someone else put on the interface never shows as drift and is never removed; {@code managed} and
 * {@code peer} are echoed from the desired resource (they say what converge owns, not what the host has). A type
 * the interface does not have is reported as its kind ({@code veth}); an interface that is down reports its type
 * followed by {@code (down)}.
 *
 * <p><b>Apply.</b> A missing loopback is created as a {@code dummy} — or, on a kernel without the dummy driver (this
 * project's build machine runs one), as an {@code ifb}, which is just as inert — and a missing bridge as a bridge;
 * both are set up. A missing link with a {@code tunnel} is made ({@code ip link add} of a GRE or WireGuard
 * interface, then {@code wg set} with the private key on standard input); any other missing link fails: converge does
 * not make plain links (a link that is to hold no addresses, one the spec dropped, is as wanted when it is gone). Then missing addresses are
 * added and reported ones the spec no longer lists are removed. Deleting the resource deletes a loopback or bridge
 * (the engine only deletes what converge created), and so a tunnel converge made; never a plain link.
 */
public final class InterfaceDriver implements Driver {

  public static final String KIND = "interface";
  static final String TYPE = "type";
  static final String ADDRESSES = "addresses";
  static final String MANAGED = "managed";
  static final String PEER = "peer";
  static final String TUNNEL = "tunnel";

  static final String LOOPBACK = "loopback";
  static final String BRIDGE = "bridge";
  static final String LINK = "link";
  private static final String DOWN = " (down)";
  /** Kinds that serve as a cloned loopback: inert devices that only hold addresses. */
  private static final Set<String> LOOPBACK_KINDS = Set.of("dummy", "ifb");
  private static final Set<String> TYPES = Set.of(LOOPBACK, BRIDGE, LINK);
  /** What converge deletes: what it makes. */
  private static final Set<String> DELETABLE = Set.of(LOOPBACK, BRIDGE, Tunnel.GRE, Tunnel.WIREGUARD);

  static final Command PROBE = Command.of("ip", "-j", "-d", "addr", "show");
  /**
   * The probe of a batch with WireGuard links (their names follow as arguments): the addresses, then per interface a
   * {@link WgDump#MARK} line and its {@code wg show IF dump} with the private key replaced by its SHA-256.
   */
  static final String PROBE_WIREGUARD = """
      ip -j -d addr show || exit
      for i do
        printf '\\n--- wg %s\\n' "$i"
        wg show "$i" dump 2>/dev/null | {
          IFS=$(printf '\\t') read -r key pub port fwmark || exit 0
          printf 'interface\\t%s\\t%s\\n' "$(printf %s "$key" | sha256sum | cut -d' ' -f1)" "$port"
          cat
        }
      done
      """;

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux");
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<Wanted> wanted = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      try {
        wanted.add(Wanted.of(r, target));
      } catch (IllegalArgumentException e) {
        throw new ProbeException(e.getMessage(), e);
      }
    }
    List<String> wireguard = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      if (wanted.get(i).tunnel().filter(t -> t.kind().equals(Tunnel.WIREGUARD)).isPresent()) {
        wireguard.add(batch.get(i).id().name());
      }
    }
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE_WIREGUARD, "sh"));
    argv.addAll(wireguard);
    ExecResult r = Remote.probe(target, wireguard.isEmpty() ? PROBE : Command.of(argv), KIND);
    if (!r.ok()) {
      throw new ProbeException("cannot probe interfaces on " + target.name() + ": ip -j -d addr show failed (exit "
          + r.exitCode() + ")" + r.details());
    }
    Map<String, IpInterface> present;
    Map<String, WgDump> dumps;
    try {
      int mark = r.out().indexOf("\n" + WgDump.MARK);
      present = IpInterface.parse(mark < 0 ? r.out() : r.out().substring(0, mark));
      dumps = mark < 0 ? Map.of() : WgDump.parse(r.out().substring(mark));
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new ProbeException("cannot probe interfaces on " + target.name() + ": " + e.getMessage(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Resource resource = batch.get(i);
      IpInterface actual = present.get(resource.id().name());
      if (actual == null && resource.isPresent() && wanted.get(i).releasedLink()) {
        // the interface of a dropped link may be gone with it, and with it every address converge had put there
        observations.add(Observation.present(resource.id(), resource.properties()));
      } else if (actual == null) {
        observations.add(Observation.absent(resource.id()));
      } else if (!resource.isPresent()) {
        observations.add(Observation.present(resource.id(), Properties.builder()
            .put(TYPE, type(actual, Optional.empty())).build()));
      } else {
        observations.add(Observation.present(resource.id(), observe(wanted.get(i), resource, actual,
            Optional.ofNullable(dumps.get(actual.name())))));
      }
    }
    return observations;
  }

  private static Properties observe(Wanted wanted, Resource resource, IpInterface actual, Optional<WgDump> dump) {
    List<String> addresses = actual.addresses().stream()
        .filter(a -> wanted.managed().stream().anyMatch(a::within))
        .map(InterfaceAddress::toString)
        .sorted()
        .toList();
    return Properties.builder()
        .put(TYPE, type(actual, wanted.type()) + (actual.up() ? "" : DOWN))
        .put(ADDRESSES, addresses)
        .put(MANAGED, resource.properties().get(MANAGED))
        .put(PEER, resource.properties().get(PEER))
        .put(TUNNEL, wanted.tunnel().map(t -> t.observed(actual, dump)))
        .build();
  }

  /** What the interface is as converge types go: any existing interface will do as a link. */
  private static String type(IpInterface i, Optional<String> wanted) {
    if (wanted.filter(LINK::equals).isPresent()) {
      return LINK;
    }
    if (i.loopback() || i.kind().filter(LOOPBACK_KINDS::contains).isPresent()) {
      return LOOPBACK;
    }
    return i.kind().orElse("device");
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.id().name();
    String where = "interface " + name + " on " + target.name();
    Resource desired = change.desired();
    Optional<String> observedType = change.observed().actual().flatMap(p -> p.string(TYPE));
    if (!desired.isPresent()) {
      delete(target, name, where, observedType);
      return;
    }
    Wanted wanted;
    try {
      wanted = Wanted.of(desired, target);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    String type = wanted.type().orElseThrow();
    List<String> before = List.of();
    Optional<LinkTunnel> tunnel = wanted.tunnel();
    if (observedType.isEmpty() && tunnel.isPresent()) {
      Remote.run(target, tunnel.get().create(name), "ip link add (" + tunnel.get().kind() + ")", where);
    } else if (observedType.isEmpty()) {
      create(target, name, type, where);
    } else {
      String base = observedType.get().replace(DOWN, "");
      if (!base.equals(type)) {
        throw new ActionException(where + " is a " + base + ", expected a " + type + ": converge does not replace"
            + " an interface it did not make; rename one of them");
      }
      @SuppressWarnings("unchecked")
      List<String> seen = (List<String>) change.observed().actual().orElseThrow().get(ADDRESSES).orElse(List.of());
      before = seen;
    }
    if (tunnel.isPresent()) {
      Map<?, ?> seen = observedType.isEmpty() ? tunnel.get().kind().equals(Tunnel.GRE) ? tunnel.get().tunnel().asMap()
          : Map.of() : change.observed().actual().flatMap(p -> p.get(TUNNEL)).filter(Map.class::isInstance)
          .map(Map.class::cast).orElse(Map.of());
      if (!observedType.isEmpty() && !tunnel.get().kind().equals(seen.get("kind"))) {
        throw new ActionException(where + " is a " + seen.get("kind") + " interface, expected a "
            + tunnel.get().kind() + " tunnel: converge does not replace an interface it did not make; rename or"
            + " delete it");
      }
      for (Command c : tunnel.get().configure(name, seen, observedType.isEmpty())) {
        Remote.run(target, c, c.argv().get(0) + " " + c.argv().get(1) + " " + c.argv().get(2), where);
      }
    }
    if (observedType.isEmpty() || observedType.get().endsWith(DOWN)) {
      Remote.run(target, Command.of("ip", "link", "set", "dev", name, "up"), "ip link set up", where);
    }
    Set<String> want = new TreeSet<>(wanted.addresses());
    for (String gone : before) {
      if (!want.contains(gone)) {
        Remote.run(target, Command.of("ip", "addr", "del", gone, "dev", name), "ip addr del " + gone, where);
      }
    }
    for (String address : want) {
      if (!before.contains(address)) {
        ExecResult r = Remote.exec(target, Command.of("ip", "addr", "add", address, "dev", name), where);
        if (!r.ok() && !r.err().contains("File exists")) {
          throw new ActionException("cannot change " + where + ": ip addr add " + address + " failed (exit "
              + r.exitCode() + ")" + r.details());
        }
      }
    }
  }

  private static void create(Target target, String name, String type, String where) throws ActionException {
    if (type.equals(LINK)) {
      throw new ActionException(where + " is missing: converge does not create link interfaces in this version"
          + " (the lab makes them as veths; WireGuard and GRE come later); create it, then converge again");
    }
    ExecResult r = Remote.exec(target, Command.of("ip", "link", "add", name, "type",
        type.equals(BRIDGE) ? BRIDGE : "dummy"), where);
    if (!r.ok() && type.equals(LOOPBACK) && r.err().contains("Unknown device type")) {
      // a kernel built without the dummy driver: an ifb device is as inert and holds addresses as well
      r = Remote.exec(target, Command.of("ip", "link", "add", name, "type", "ifb"), where);
    }
    if (!r.ok() && !r.err().contains("File exists")) {
      throw new ActionException("cannot create " + where + " (" + type + "): ip link add failed (exit "
          + r.exitCode() + ")" + r.details());
    }
  }

  private static void delete(Target target, String name, String where, Optional<String> observedType)
      throws ActionException {
    try {
      Names.INTERFACE.require(name, where);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    String base = observedType.map(t -> t.replace(DOWN, "")).orElse("");
    if (!DELETABLE.contains(base) || name.equals("lo")) {
      throw new ActionException("cannot delete " + where + ": it is a " + (base.isEmpty() ? "missing interface"
          : base) + ", and converge deletes only the loopbacks, bridges and tunnels it made");
    }
    ExecResult r = Remote.exec(target, Command.of("ip", "link", "del", "dev", name), where);
    if (!r.ok() && !r.err().contains("Cannot find device")) {
      throw new ActionException("cannot delete " + where + ": ip link del failed (exit " + r.exitCode() + ")"
          + r.details());
    }
  }

  /** A desired interface, checked: a safe name, a known type, addresses and prefixes that parse. */
  private record Wanted(Optional<String> type, List<String> addresses, List<Cidr> managed,
      Optional<LinkTunnel> tunnel) {

    static Wanted of(Resource r, Target target) {
      String where = "interface on " + target.name();
      String name = Names.INTERFACE.require(r.id().name(), where);
      if (!r.isPresent()) {
        return new Wanted(Optional.empty(), List.of(), List.of(), Optional.empty());
      }
      String what = "interface " + name + " on " + target.name();
      String type = r.properties().string(TYPE).orElse("");
      if (!TYPES.contains(type)) {
        throw new IllegalArgumentException(what + ": found type `" + type + "`, expected one of " + new TreeSet<>(TYPES));
      }
      List<String> addresses = new ArrayList<>();
      for (Object a : list(r, ADDRESSES)) {
        addresses.add(parse(what, String.valueOf(a)).toString());
      }
      List<Cidr> managed = new ArrayList<>();
      for (Object m : list(r, MANAGED)) {
        try {
          managed.add(Cidr.parse(String.valueOf(m)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what + ": managed prefix " + e.getMessage(), e);
        }
      }
      for (String a : addresses) {
        InterfaceAddress parsed = InterfaceAddress.parse(a);
        if (managed.stream().noneMatch(parsed::within)) {
          throw new IllegalArgumentException(what + ": address " + a + " lies outside the managed prefixes "
              + managed + ": converge would add it and never see it again");
        }
      }
      Optional<LinkTunnel> tunnel = r.properties().get(TUNNEL).filter(Map.class::isInstance).map(Map.class::cast)
          .map(t -> LinkTunnel.of(t, what));
      if (tunnel.isPresent() && !type.equals(LINK)) {
        throw new IllegalArgumentException(what + ": found a tunnel on a " + type + ", expected one on a link only");
      }
      return new Wanted(Optional.of(type), addresses, managed, tunnel);
    }

    /** The link of a link the spec dropped: converge's addresses in its former /30 are to go. */
    boolean releasedLink() {
      return type.filter(LINK::equals).isPresent() && addresses.isEmpty();
    }

    private static List<?> list(Resource r, String field) {
      return r.properties().get(field).filter(List.class::isInstance).map(List.class::cast).orElse(List.of());
    }

    private static InterfaceAddress parse(String what, String text) {
      try {
        return InterfaceAddress.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
      }
    }
  }
}

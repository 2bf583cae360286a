package dev.converge.spec;

import com.google.common.net.InetAddresses;
import dev.converge.driver.HostKeyPolicy;
import dev.converge.spec.Host.TransportKind;
import dev.converge.spec.Inheritance.Heir;
import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Sections.Kind;
import dev.converge.spec.Sections.Named;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Binds {@code hosts:}, then checks what involves several hosts: jump hosts ({@code via}) and the local host. */
final class HostBinder {

  static final List<String> KEYS = List.of("os", "transport", "address", "ssh", "via", "loopback", "resolver",
      "external-interface", "routing-daemon", "wireguard", "hostname", "sysctl", "repositories", "packages", "users", "services",
      Inheritance.PROFILE);
  static final List<String> WIREGUARD_KEYS = List.of("private-key", "public-key");
  /** A Curve25519 key as wg(8) prints it: 32 bytes in base64, 43 characters and one `=`. */
  private static final Conversion<String> WIREGUARD_KEY = Conversion.matching("a WireGuard public key (44"
      + " characters of base64 ending in `=`, as `wg pubkey` prints it)",
      java.util.regex.Pattern.compile("[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]="));
  static final List<String> SERVICE_KEYS = List.of("enabled", "running");
  static final List<String> SSH_KEYS = List.of("user", "port", "identity", "known-hosts", "host-key-policy",
      "connect-timeout", "command-timeout", "keep-alive");
  /** Keys that make no sense on a local host; inherited from {@code defaults}, they are dropped for it. */
  private static final List<String> REMOTE_KEYS = List.of("address", "ssh", "via");

  private static final Conversion<String> OS = Conversion.oneOf("linux", "freebsd");
  private static final Conversion<String> ROUTING_DAEMON = Conversion.oneOf(Host.FRR, Host.QUAGGA);
  private static final Conversion<TransportKind> TRANSPORT = Conversion.oneOf(TransportKind.class);
  private static final Conversion<HostKeyPolicy> HOST_KEY_POLICY = Conversion.oneOf(HostKeyPolicy.class);

  private final Binding b;
  private final Map<String, Location> viaAt = new LinkedHashMap<>();
  private final Map<String, Location> localAt = new LinkedHashMap<>();

  HostBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Named named : b.sections.named(Kind.HOST).values()) {
      if (named.value() instanceof MapNode own) {
        host(named, b.inheritance.resolve(Heir.HOST, named.name(), own));
      } else {
        MapReader.of(named.value(), "host `" + named.name() + "`", named.at(), b.problems, KEYS);
      }
    }
    checkLocalHosts();
    checkJumpHosts();
  }

  private void host(Named named, MapNode merged) {
    String name = named.name();
    // a first, silent look: which keys are allowed depends on the transport; the reader below reports problems
    TransportKind transport = new MapReader(merged, "", named.at(), new Problems())
        .get("transport", TRANSPORT, TransportKind.SSH);
    MapReader r = new MapReader(transport == TransportKind.LOCAL ? withoutInheritedRemoteKeys(merged) : merged,
        "host `" + name + "`", named.at(), b.problems).allowing(KEYS);
    r.get("transport", TRANSPORT);
    String os = r.get("os", OS, "linux");
    Optional<String> address = Optional.empty();
    Ssh ssh = Ssh.DEFAULTS;
    Optional<String> via = Optional.empty();
    if (transport == TransportKind.LOCAL) {
      localAt.put(name, r.location("transport"));
      for (String key : REMOTE_KEYS) {
        if (r.has(key)) {
          r.error(key, "found " + r.node().get(key).orElseThrow().describe() + ", expected no `" + key
              + "` on a local host (transport: local)");
        }
      }
    } else {
      address = r.require("address", Conversion.address());
      address.filter(InetAddresses::isInetAddress).ifPresent(a ->
          b.addresses.add(InetAddresses.forString(a), "host `" + name + "`", r.location("address")));
      ssh = r.child("ssh", SSH_KEYS).map(HostBinder::ssh).orElse(Ssh.DEFAULTS);
      via = r.get("via", b.reference(Kind.HOST));
      via.ifPresent(v -> viaAt.put(name, r.location("via")));
    }
    Optional<Cidr> loopback = r.get("loopback", Conversion.hostCidr());
    loopback.ifPresent(l -> b.addresses.add(l.network(), "host `" + name + "` (loopback)",
        r.location("loopback")));
    Optional<String> resolver = r.get("resolver", b.resolver());
    Optional<String> external = r.get("external-interface", Conversion.interfaceName());
    String daemon = r.get("routing-daemon", ROUTING_DAEMON, Host.FRR);
    if (daemon.equals(Host.QUAGGA) && !os.equals("freebsd")) {
      r.error("routing-daemon", "found `quagga` on a host with os: " + os + ", expected `frr` (converge runs Quagga"
          + " from the FreeBSD port only)");
    }
    Optional<Host.WireGuard> wireguard = r.child("wireguard", WIREGUARD_KEYS).flatMap(w -> {
      Optional<String> privateKey = w.require("private-key", b.reference(Kind.SECRET));
      Optional<String> publicKey = w.require("public-key", WIREGUARD_KEY);
      return privateKey.isPresent() && publicKey.isPresent()
          ? Optional.of(new Host.WireGuard(privateKey.get(), publicKey.get(), r.location("wireguard")))
          : Optional.empty();
    });
    b.hosts.put(name, new Host(name, named.at(), os, transport, address, ssh, via, loopback, resolver, external,
        daemon, basics(r), wireguard));
  }

  private static HostBasics basics(MapReader r) {
    Optional<String> hostname = r.get("hostname", Conversion.dnsName());
    Map<String, String> sysctl = r.dictionary("sysctl", Conversion.sysctlName(), Conversion.line(),
        "a map of sysctl names to values, such as {net.ipv4.ip_forward: 1}");
    Map<String, String> repositories = r.dictionary("repositories", Conversion.identifier(), Conversion.line(),
        "a map of repository names to sources, such as {local: \"deb [trusted=yes] file:/srv/repo ./\"}");
    List<String> packages = r.list("packages", Conversion.packageName()).orElse(List.of());
    Map<String, User> users = Users.read(r);
    Map<String, HostBasics.Service> services = new LinkedHashMap<>();
    for (Entry e : r.mapNode("services", "a map of service names to {enabled, running}").map(MapNode::all)
        .orElse(List.of())) {
      try {
        Conversion.serviceName().convert(e.key());
      } catch (Conversion.Invalid invalid) {
        r.error("services", "." + e.key(), e.keyLocation(), "service name: " + invalid.detail());
        continue;
      }
      if (e.value() instanceof Node.ScalarNode s && s.isNull()) {
        services.put(e.key(), new HostBasics.Service(e.key(), true, true));
        continue;
      }
      r.child("services", e, SERVICE_KEYS).ifPresent(sr -> services.put(e.key(), new HostBasics.Service(e.key(),
          sr.get("enabled", Conversion.bool(), true), sr.get("running", Conversion.bool(), true))));
    }
    return new HostBasics(hostname, sysctl, repositories, packages, users, services);
  }

  private static Ssh ssh(MapReader r) {
    Ssh d = Ssh.DEFAULTS;
    String user = r.get("user", Conversion.userName(), d.user());
    int port = r.get("port", Conversion.integer(1, 65535), d.port());
    Optional<Path> identity = r.path("identity");
    Optional<Path> knownHosts = r.path("known-hosts");
    HostKeyPolicy policy = r.get("host-key-policy", HOST_KEY_POLICY, d.hostKeyPolicy());
    Duration connect = r.get("connect-timeout", Conversion.duration(), d.connectTimeout());
    Duration command = r.get("command-timeout", Conversion.duration(), d.commandTimeout());
    Duration keepAlive = r.get("keep-alive", Conversion.duration(), d.keepAlive());
    return new Ssh(user, port, identity, knownHosts, policy, connect, command, keepAlive);
  }

  private static MapNode withoutInheritedRemoteKeys(MapNode merged) {
    Map<String, Entry> kept = new LinkedHashMap<>(merged.entries());
    kept.values().removeIf(e -> REMOTE_KEYS.contains(e.key()) && e.origin().filter("defaults"::equals).isPresent());
    return new MapNode(kept, merged.location());
  }

  private void checkLocalHosts() {
    List<String> locals = new ArrayList<>(localAt.keySet());
    for (String extra : locals.subList(Math.min(1, locals.size()), locals.size())) {
      b.problems.error(localAt.get(extra), "`transport` in host `" + extra + "`: found a second local host"
          + " (`" + locals.get(0) + "` is local, at " + localAt.get(locals.get(0)) + "): expected at most one"
          + " host with transport: local");
    }
  }

  /** A jump host must be another SSH host, and following {@code via} must end at a directly reached host. */
  private void checkJumpHosts() {
    for (Map.Entry<String, Location> e : viaAt.entrySet()) {
      String name = e.getKey();
      String prefix = "`via` in host `" + name + "`: ";
      Host target = b.hosts.get(b.hosts.get(name).via().orElseThrow());
      if (target == null) {
        continue;
      }
      if (target.name().equals(name)) {
        b.problems.error(e.getValue(), prefix + "found `" + name + "`, which is this host itself: expected"
            + " another SSH host to jump through");
      } else if (target.isLocal()) {
        b.problems.error(e.getValue(), prefix + "found `" + target.name() + "`, a local host: expected an SSH"
            + " host to jump through");
      } else {
        cycleFrom(name).ifPresent(cycle -> b.problems.error(e.getValue(), prefix + "found a jump-host cycle "
            + String.join(" → ", cycle) + ": expected a chain of `via` that ends at a host reached directly"));
      }
    }
  }

  private Optional<List<String>> cycleFrom(String start) {
    List<String> chain = new ArrayList<>(List.of(start));
    Optional<String> next = b.hosts.get(start).via();
    while (next.isPresent() && b.hosts.containsKey(next.get())) {
      chain.add(next.get());
      if (next.get().equals(start)) {
        return Optional.of(chain);
      }
      if (chain.size() > b.hosts.size()) {
        return Optional.empty();
      }
      next = b.hosts.get(next.get()).via();
    }
    return Optional.empty();
  }
}

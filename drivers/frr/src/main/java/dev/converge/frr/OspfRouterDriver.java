package dev.converge.frr;

import dev.converge.driver.ActionException;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Readiness;
import dev.converge.driver.Rendering;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The {@code ospf-router/HOST:ospf} resource on FRR, Linux and FreeBSD (see the network contract for its properties).
 *
 * <p><b>Probe</b>, one exec per host: whether zebra and ospfd run, {@code show running-config}, and {@code show ip
 * ospf interface json} for where ospfd actually runs each interface. Only converge's lines are reported (see
 * {@link FrrConfig}); the MD5 key is read as a {@link dev.converge.resource.Sensitive} and never printed.
 *
 * <p><b>Apply</b>: the running config (read again at apply time) with converge's lines replaced is written to
 * {@code frr.conf} (0640, frr:frr), so it survives a restart; then frr-reload.py pushes the difference into the
 * running daemons, which restarts nothing and leaves unchanged interfaces, hence their adjacencies, alone. A host
 * without ospfd gets it enabled, and FRR started (or, if FRR runs without ospfd, watchfrr told about it). The
 * {@code redistribute} prefixes (Linux jails' /32s) become {@code redistribute connected} through converge's own
 * prefix-list and route-map (see {@link FrrConfig}); Quagga refuses a router that has any.
 *
 * <p><b>Readiness</b>: every expected neighbour Full (2-Way between DROthers) and every expected /32 in the kernel.
 * After a change of an active interface's key, timers or type, its neighbour counts only once ospfd has accepted a
 * hello from it since: one whose key no longer matches stays Full until its dead timer fires.
 *
 * <p><b>Rendering</b>: a plan shows the lines converge owns as FRR's integrated config (or Quagga's ospfd.conf)
 * would hold them, before and after, with MD5 keys as {@code (sensitive)}.
 */
public final class OspfRouterDriver implements Driver, Rendering {

  private static final Pattern MD5_LINE = Pattern.compile("(message-digest-key\\s+\\d+\\s+md5\\s+)\\S+");
  /** FRR's own dead interval: how long a neighbour may take to come up if the spec sets no timers. */
  static final long DEFAULT_DEAD_SECONDS = 40;
  /** Interface fields a neighbour must agree on for its hellos to count. */
  private static final Set<String> ADJACENCY_FIELDS = Set.of(OspfRouter.OspfInterface.AREA,
      OspfRouter.OspfInterface.NETWORK_TYPE, OspfRouter.OspfInterface.HELLO, OspfRouter.OspfInterface.DEAD,
      OspfRouter.OspfInterface.MD5_KEY);

  /**
   * Per router changed by this driver: when, and the active interfaces whose key, timers or type changed — until
   * ready, their neighbours count only once a hello was accepted after the change.
   */
  private final Map<ResourceId, Reconfigured> reconfigured = new ConcurrentHashMap<>();

  private record Reconfigured(long atNanos, Set<String> interfaces) {}

  @Override
  public String kind() {
    return OspfRouter.KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux", "freebsd");
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    if (batch.stream().anyMatch(r -> r.isPresent() && Quagga.runs(r.properties()))) {
      return probeQuagga(target, batch);
    }
    FrrPlatform platform = FrrPlatform.of(target.platform());
    OspfState state;
    try {
      state = state(target, platform);
    } catch (TransportException | IllegalArgumentException e) {
      throw new ProbeException("cannot probe OSPF on " + target.name() + ": " + redact(e.getMessage()), e);
    }
    List<Observation> out = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      if (!r.isPresent()) {
        out.add(state.running() && state.config().hasRouterOspf()
            ? Observation.present(r.id(), state.config().ospf(List.of()).toProperties())
            : Observation.absent(r.id()));
        continue;
      }
      OspfRouter desired;
      try {
        desired = OspfRouter.of(r.properties(), where(target, r));
      } catch (IllegalArgumentException e) {
        throw new ProbeException(e.getMessage(), e);
      }
      out.add(state.observed(desired).map(o -> Observation.present(r.id(), o.toProperties()))
          .orElse(Observation.absent(r.id())));
    }
    return out;
  }

  /** A host's one router on Quagga (a host runs one routing suite): one probe round trip, as for FRR. */
  private static List<Observation> probeQuagga(Target target, List<Resource> batch) throws ProbeException {
    List<Observation> out = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      if (!r.isPresent()) {
        out.add(Observation.absent(r.id()));
        continue;
      }
      try {
        OspfRouter desired = OspfRouter.of(r.properties(), where(target, r));
        out.add(Quagga.probe(target, desired).map(p -> Observation.present(r.id(), p))
            .orElse(Observation.absent(r.id())));
      } catch (TransportException | IllegalArgumentException e) {
        throw new ProbeException("cannot probe Quagga's OSPF on " + target.name() + ": " + redact(e.getMessage()), e);
      }
    }
    return out;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String where = where(target, change.desired());
    FrrPlatform platform = FrrPlatform.of(target.platform());
    Optional<OspfRouter> desired;
    try {
      desired = change.desired().isPresent()
          ? Optional.of(OspfRouter.of(change.desired().properties(), where)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    try {
      if (change.desired().isPresent() && Quagga.runs(change.desired().properties())) {
        Quagga.apply(target, desired, former(change), where);
        return;
      }
      OspfState state = state(target, platform);
      FrrConfig base = state.running() ? state.config() : fileConfig(target, platform);
      String text = base.withOspf(desired, former(change)).render();
      target.transport().write(platform.configFile(), text.getBytes(StandardCharsets.UTF_8),
          new FileAttributes(0640, Optional.of("frr"), Optional.of("frr")));
      ExecResult r = target.transport().exec(platform.activate());
      if (!r.ok()) {
        throw new ActionException("cannot " + (state.running() ? "reload" : "start") + " FRR for " + where + " (exit "
            + r.exitCode() + "): " + redact(tail(r.err().isBlank() ? r.out() : r.err())));
      }
      Set<String> changed = desired.map(d -> adjacencyChanges(change, d)).orElse(Set.of());
      if (changed.isEmpty()) {
        reconfigured.remove(change.id());
      } else {
        reconfigured.put(change.id(), new Reconfigured(System.nanoTime(), changed));
      }
    } catch (TransportException | IllegalArgumentException e) {
      throw new ActionException("cannot change " + where + ": " + redact(e.getMessage()), e);
    }
  }

  /** Converge's lines of the router's configuration, as the config file holds them; MD5 keys as {@code (sensitive)}. */
  @Override
  public String render(Resource resource, Properties properties) {
    OspfRouter router = OspfRouter.of(properties, resource.id().toString()).redacted();
    if (Quagga.runs(resource.properties())) {
      return QuaggaConfig.parse("").with(Optional.of(router), List.of(), true).render();
    }
    return FrrConfig.parse("").withOspf(Optional.of(router), List.of()).render();
  }

  /**
   * The active interfaces of {@code desired} whose area, type, timers or key differ from what the probe saw (a key
   * compared as a secret, never shown); none for a router that was not running, whose neighbours are all new.
   */
  private static Set<String> adjacencyChanges(Change change, OspfRouter desired) {
    Optional<Map<?, ?>> before = change.observed().actual().flatMap(p -> p.get(OspfRouter.INTERFACES))
        .filter(Map.class::isInstance).map(m -> (Map<?, ?>) m);
    if (before.isEmpty()) {
      return Set.of();
    }
    Map<?, ?> wanted = change.desired().properties().get(OspfRouter.INTERFACES).filter(Map.class::isInstance)
        .map(m -> (Map<?, ?>) m).orElse(Map.of());
    Set<String> out = new java.util.TreeSet<>();
    desired.interfaces().forEach((name, i) -> {
      if (i.passive()) {
        return;
      }
      Map<?, ?> was = before.get().get(name) instanceof Map<?, ?> m ? m : Map.of();
      Map<?, ?> now = wanted.get(name) instanceof Map<?, ?> m ? m : Map.of();
      boolean differs = ADJACENCY_FIELDS.stream().anyMatch(f -> !java.util.Objects.equals(
          Sensitive.reveal(was.get(f)), Sensitive.reveal(now.get(f))));
      if (differs) {
        out.add(name);
      }
    });
    return out;
  }

  /** The interfaces the router ran on when probed, so that converge takes its lines off those it no longer wants. */
  private static List<String> former(Change change) {
    return change.observed().actual().flatMap(p -> p.get(OspfRouter.INTERFACES))
        .filter(Map.class::isInstance).map(m -> ((Map<?, ?>) m).keySet().stream().map(String::valueOf).toList())
        .orElse(List.of());
  }

  @Override
  public Readiness readiness(Target target, Resource resource) throws ProbeException {
    if (!resource.isPresent()) {
      return Readiness.READY;
    }
    FrrPlatform platform = FrrPlatform.of(target.platform());
    try {
      OspfRouter router = OspfRouter.of(resource.properties(), where(target, resource));
      if (Quagga.runs(resource.properties())) {
        return Quagga.readiness(target, router);
      }
      ExecResult r = target.transport().exec(platform.readiness());
      if (!r.ok()) {
        return Readiness.waitingFor("ospfd on " + target.name() + " to answer (" + tail(r.err()) + ")");
      }
      Reconfigured since = reconfigured.get(resource.id());
      Readiness readiness = since == null ? RoutingState.parse(r.out(), platform).readinessOf(router)
          : RoutingState.parse(r.out(), platform).readinessOf(router, since.interfaces(),
              Duration.ofNanos(System.nanoTime() - since.atNanos()).toMillis());
      if (readiness.ready()) {
        reconfigured.remove(resource.id());
      }
      return readiness;
    } catch (TransportException | IllegalArgumentException e) {
      throw new ProbeException("cannot check OSPF readiness on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Three dead intervals (the slowest active interface's, FRR's 40 s when the spec sets none) for adjacencies, plus half a
   * minute for the LSA and SPF throttles to put every route in the kernel.
   */
  @Override
  public Duration readinessTimeout(Resource resource) {
    long dead = DEFAULT_DEAD_SECONDS;
    try {
      dead = OspfRouter.of(resource.properties(), resource.id().toString()).interfaces().values().stream()
          .filter(i -> !i.passive()).mapToLong(i -> i.dead().orElse(DEFAULT_DEAD_SECONDS)).max().orElse(DEFAULT_DEAD_SECONDS);
    } catch (IllegalArgumentException e) {
      // an invalid resource fails at probe time, naming what is wrong; the default timeout is then moot
    }
    return Duration.ofSeconds(3 * dead + 30);
  }

  private static OspfState state(Target target, FrrPlatform platform) throws TransportException {
    ExecResult r = target.transport().exec(platform.probe());
    if (!r.ok()) {
      throw new TransportException("vtysh failed (exit " + r.exitCode() + "): " + tail(r.err()));
    }
    return OspfState.parse(r.out());
  }

  /** The config file, as base for a host where FRR is not running yet (the package's default when never written). */
  private static FrrConfig fileConfig(Target target, FrrPlatform platform) throws TransportException {
    return target.transport().read(platform.configFile())
        .map(b -> FrrConfig.parse(new String(b, StandardCharsets.UTF_8)))
        .orElse(FrrConfig.parse("frr defaults traditional\n"));
  }

  private static String where(Target target, Resource r) {
    return "ospf-router " + r.id().name() + " on " + target.name();
  }

  /** FRR echoes the lines it could not apply, MD5 keys included: never let one reach a message. */
  static String redact(String text) {
    return text == null ? "" : MD5_LINE.matcher(text).replaceAll("$1(sensitive)");
  }

  private static String tail(String text) {
    List<String> lines = text.strip().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
  }
}

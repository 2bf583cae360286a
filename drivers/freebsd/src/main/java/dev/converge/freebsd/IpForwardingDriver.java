package dev.converge.freebsd;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code ip-forwarding} resource on FreeBSD: IPv4 forwarding now ({@code sysctl net.inet.ip.forwarding}) and at
 * boot ({@code gateway_enable} in rc.conf, which rc.d/routing turns into that sysctl).
 *
 * <p><b>Resource.</b> Id {@code ip-forwarding/HOST:ipv4}, property {@code enabled} (true).
 *
 * <p><b>Probe.</b> One exec reads both. When they agree {@code enabled} is a boolean; otherwise it says which is
 * which ({@code "true (gateway_enable: NO)"}), so the plan shows what boot would undo. Observed absent when neither
 * forwards while the spec wants it on, so that turning it on is a create: converge then owns forwarding and
 * turns it off when the spec no longer asks for it.
 *
 * <p><b>Apply.</b> {@code sysctl net.inet.ip.forwarding=1|0} and {@code sysrc gateway_enable=YES|NO}, each only when
 * it differs. A delete turns forwarding off now and at boot.
 */
public final class IpForwardingDriver implements Driver {

  public static final String KIND = "ip-forwarding";
  public static final String ENABLED = "enabled";
  static final String LIVE = "live";
  static final String RC_CONF = "rc-conf";
  private static final String IPV4 = "ipv4";
  private static final String SYSCTL = "net.inet.ip.forwarding";

  /** sysctl's value (or error) and rc.conf's gateway_enable, defaults included (sysrc reads them). */
  static final String SCRIPT = """
      if v=$(sysctl -n net.inet.ip.forwarding 2>&1); then printf 'live %s\\n' "$v"; else printf 'error %s\\n' "$v"; fi
      if v=$(sysrc -n gateway_enable 2>/dev/null); then printf 'rc %s\\n' "$v"; fi
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
    for (Resource r : batch) {
      if (!r.id().name().equals(IPV4)) {
        throw new ProbeException(unsupported(r, target.name()));
      }
    }
    ExecResult r = Remote.forProbe(target, "IP forwarding")
        .probe(ProbeOutput.script(SCRIPT, List.of()), "IP forwarding");
    ProbeOutput.Section out = ProbeOutput.parse(r.out()).preamble();
    String live = out.first("live").orElseThrow(() -> new ProbeException("cannot probe IP forwarding on "
        + target.name() + ": sysctl " + SYSCTL + " failed: " + out.first("error").orElse("no output")
        + Remote.detail(r)));
    boolean now = live.strip().equals("1");
    Optional<String> rc = out.first("rc");
    boolean atBoot = rc.map(IpForwardingDriver::yes).orElse(false);
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      // off everywhere reads as absent when it should be on, so that turning it on is a create, owned by converge
      observations.add(!now && !atBoot && wantsOn(res) ? Observation.absent(res.id())
          : Observation.present(res.id(), Properties.builder()
              .put(ENABLED, now == atBoot ? (Object) now
                  : now + " (gateway_enable: " + rc.orElse("unset") + ")")
              .put(LIVE, now)
              .put(RC_CONF, atBoot)
              .build()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    if (!change.id().name().equals(IPV4)) {
      throw new ActionException(unsupported(change.desired(), target.name()));
    }
    boolean on = wantsOn(change.desired());
    Optional<Properties> seen = change.observed().actual();
    Remote remote = Remote.forAction(target, "IP forwarding");
    if (!seen.flatMap(p -> p.get(LIVE)).orElse(false).equals(on)) {
      remote.run(Command.of("sysctl", SYSCTL + "=" + (on ? "1" : "0")), "IP forwarding");
    }
    if (!seen.flatMap(p -> p.get(RC_CONF)).orElse(false).equals(on)) {
      remote.sysrc(List.of(Command.of("sysrc", "gateway_enable=" + (on ? "YES" : "NO"))),
          "IP forwarding in rc.conf");
    }
  }

  private static boolean wantsOn(Resource r) {
    return r.isPresent() && !r.properties().get(ENABLED).orElse(true).equals(false);
  }

  /** rc.subr's checkyesno: YES, TRUE, ON or 1 in any case. */
  static boolean yes(String value) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "yes", "true", "on", "1" -> true;
      default -> false;
    };
  }

  private static String unsupported(Resource r, String host) {
    return "ip-forwarding `" + r.id().name() + "` on " + host + ": not supported (expected `ipv4`)";
  }
}

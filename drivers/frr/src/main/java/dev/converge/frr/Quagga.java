package dev.converge.frr;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Readiness;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.frr.OspfRouter.OspfInterface;
import dev.converge.resource.Properties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ospf-router} of a FreeBSD host whose spec says {@code routing-daemon: quagga}: the net/quagga port's
 * zebra and ospfd, configured through {@code /usr/local/etc/quagga/zebra.conf} and {@code ospfd.conf} as in the seed.
 *
 * <p>Probe, one exec: whether zebra and ospfd run, {@code show running-config} and {@code show ip ospf interface}
 * (Quagga 1.2 prints no JSON). Apply: both files rewritten with converge's lines replaced (0600, quagga:quagga, they
 * hold the MD5 key), the port enabled through sysrc, then Quagga restarted when ospfd is not running, else only the
 * changed lines fed to vtysh, so that unchanged adjacencies stay up.
 */
final class Quagga {

  static final String DAEMON = "daemon";
  static final String NAME = "quagga";
  static final String CONF_DIR = "/usr/local/etc/quagga";
  static final String ZEBRA_CONF = CONF_DIR + "/zebra.conf";
  static final String OSPFD_CONF = CONF_DIR + "/ospfd.conf";
  private static final FileAttributes SECRET_FILE = new FileAttributes(0600, Optional.of(NAME), Optional.of(NAME));

  /** Prints whether zebra and ospfd run, then their running config and ospfd's interfaces. */
  static final String PROBE = """
      alive() { [ -r "/var/run/quagga/$1.pid" ] && kill -0 "$(cat "/var/run/quagga/$1.pid")" 2>/dev/null; }
      if alive zebra && alive ospfd; then
        echo '@@ ospfd running'
        vtysh -c 'show running-config' || exit 3
        echo '@@ ospf interfaces'
        vtysh -c 'show ip ospf interface' || exit 3
      else
        echo '@@ ospfd stopped'
      fi
      """;
  static final Command PROBE_COMMAND = Command.of("sh", "-c", PROBE);
  static final Command ENABLE = Command.of("sysrc", "quagga_enable=YES", "quagga_daemons=zebra ospfd");
  static final Command RESTART = Command.of("service", "quagga", "restart");
  private static final String MD5_KEY_COMMAND = "message-digest-key";
  static final Command READINESS = Command.of("sh", "-c",
      "vtysh -c 'show ip ospf neighbor' || exit 3; echo '@@ routes'; netstat -rn -4 --libxo json");

  /** {@code show ip ospf interface}: an interface's first line, its address line (with the area), its type. */
  private static final Pattern INTERFACE_LINE = Pattern.compile("(\\S+) is (?:up|down|administratively down).*");
  private static final Pattern AREA_LINE = Pattern.compile("\\s+Internet Address \\S+,.* Area (\\S+).*");
  private static final Pattern TYPE_LINE = Pattern.compile("\\s+Router ID \\S+, Network Type (\\S+),.*");
  private static final Map<String, String> NETWORK_TYPES = Map.of("BROADCAST", "broadcast", "NBMA", "non-broadcast",
      "POINTOMULTIPOINT", "point-to-multipoint", "POINTOPOINT", "point-to-point");

  private Quagga() {}

  static boolean runs(Properties desired) {
    return desired.get(DAEMON).filter(NAME::equals).isPresent();
  }

  /** What Quagga runs, as the probe prints it: the config, and per OSPF interface its area and network type. */
  record State(boolean running, QuaggaConfig config, Map<String, String[]> live) {

    static State parse(String output) {
      String text = output.strip();
      if (text.startsWith(OspfState.STOPPED)) {
        return new State(false, QuaggaConfig.parse(""), Map.of());
      }
      int interfaces = text.indexOf(OspfState.INTERFACES);
      if (!text.startsWith(OspfState.RUNNING) || interfaces < 0) {
        throw new IllegalArgumentException("unexpected probe output (first line `"
            + text.lines().findFirst().orElse("") + "`)");
      }
      QuaggaConfig config = QuaggaConfig.parse(text.substring(OspfState.RUNNING.length(), interfaces));
      return new State(true, config, interfaces(text.substring(interfaces + OspfState.INTERFACES.length())));
    }

    /** Interface → {area, network type keyword} for every interface ospfd runs. */
    static Map<String, String[]> interfaces(String text) {
      Map<String, String[]> out = new TreeMap<>();
      String current = null;
      for (String line : text.split("\n")) {
        Matcher m;
        if ((m = INTERFACE_LINE.matcher(line)).matches()) {
          current = m.group(1);
        } else if (current != null && (m = AREA_LINE.matcher(line)).matches()) {
          out.put(current, new String[] {m.group(1), ""});
        } else if (current != null && out.containsKey(current) && (m = TYPE_LINE.matcher(line)).matches()) {
          out.get(current)[1] = NETWORK_TYPES.getOrDefault(m.group(1), "");
        }
      }
      return out;
    }

    /** The router converge would see for {@code desired}; neighbours and routes echoed, as for FRR. */
    Optional<OspfRouter> observed(OspfRouter desired) {
      if (!running || !config.hasRouterOspf()) {
        return Optional.empty();
      }
      OspfRouter configured = config.ospf(desired.interfaces().keySet());
      SortedMap<String, OspfInterface> interfaces = new TreeMap<>();
      configured.interfaces().forEach((name, i) -> {
        String[] ospf = live.get(name);
        Optional<String> type = i.networkType();
        if (type.isEmpty() && ospf != null && desired.interfaces().get(name).networkType().isPresent()) {
          type = Optional.of(ospf[1]).filter(t -> !t.isEmpty());
        }
        interfaces.put(name, new OspfInterface(Optional.ofNullable(ospf).map(o -> o[0]), type, i.hello(), i.dead(),
            i.md5Key(), i.passive()));
      });
      return Optional.of(new OspfRouter(configured.routerId(), interfaces, configured.networks(), false,
          desired.neighbors(), desired.routes(), List.of()));
    }
  }

  static State state(Target target) throws TransportException {
    ExecResult r = target.transport().exec(PROBE_COMMAND);
    if (!r.ok()) {
      throw new TransportException("vtysh failed (exit " + r.exitCode() + "): " + r.err().strip());
    }
    return State.parse(r.out());
  }

  static Optional<Properties> probe(Target target, OspfRouter desired) throws TransportException {
    return state(target).observed(desired).map(o -> o.toProperties().with(DAEMON, NAME));
  }

  static void apply(Target target, Optional<OspfRouter> desired, List<String> former, String where)
      throws TransportException, ActionException {
    // a Linux jail's /32 reaches OSPF only by redistribution, which converge builds on FRR alone
    if (desired.filter(d -> !d.redistribute().isEmpty()).isPresent()) {
      throw new ActionException(where + ": cannot redistribute " + desired.get().redistribute() + " on Quagga: "
          + "jails on Linux hosts need FRR (Quagga is managed on FreeBSD only and never redistributes)");
    }
    if (!"freebsd".equals(target.platform())) {
      throw new ActionException(where + ": Quagga is managed on FreeBSD hosts only, this one is "
          + target.platform());
    }
    State state = state(target);
    QuaggaConfig zebra = file(target, ZEBRA_CONF).with(desired, former, false).withHostname(target.name());
    QuaggaConfig ospfd = file(target, OSPFD_CONF).with(desired, former, true).withHostname(target.name());
    target.transport().write(ZEBRA_CONF, zebra.render().getBytes(StandardCharsets.UTF_8), SECRET_FILE);
    target.transport().write(OSPFD_CONF, ospfd.render().getBytes(StandardCharsets.UTF_8), SECRET_FILE);
    run(target, ENABLE, where);
    List<String> commands = desired.map(d -> QuaggaConfig.commands(state.config(), d, former))
        .orElse(List.of("configure terminal", "no router ospf"));
    // a key on vtysh's command line would show in ps: a new key comes from the files, through a restart
    if (!state.running() || commands.stream().anyMatch(c -> c.contains(MD5_KEY_COMMAND))) {
      run(target, RESTART, where);
    } else if (!commands.isEmpty()) {
      run(target, vtysh(commands), where);
    }
  }

  /** {@code vtysh -c LINE -c LINE …}: one session, so that each line runs in the node the previous one entered. */
  static Command vtysh(List<String> lines) {
    List<String> argv = new ArrayList<>(List.of("vtysh"));
    lines.forEach(l -> argv.addAll(List.of("-c", l)));
    return Command.of(argv);
  }

  static Readiness readiness(Target target, OspfRouter router) throws TransportException {
    ExecResult r = target.transport().exec(READINESS);
    if (!r.ok()) {
      return Readiness.waitingFor("ospfd on " + target.name() + " to answer (" + r.err().strip() + ")");
    }
    int marker = r.out().indexOf(RoutingState.ROUTES_MARKER);
    if (marker < 0) {
      throw new IllegalArgumentException("no routes section in the readiness output");
    }
    return new RoutingState(neighbors(r.out().substring(0, marker)),
        RoutingState.netstatRoutes(r.out().substring(marker + RoutingState.ROUTES_MARKER.length())))
        .readinessOf(router);
  }

  /**
   * {@code show ip ospf neighbor} as Quagga 1.2 prints it: a header, then per neighbour its router id, priority,
   * {@code State/Role}, dead time, address and {@code ifname:localaddress}.
   */
  static List<RoutingState.Neighbor> neighbors(String text) {
    List<RoutingState.Neighbor> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length < 6 || f[0].equals("Neighbor") || !f[0].matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
        continue;
      }
      int slash = f[2].indexOf('/');
      int colon = f[5].indexOf(':');
      out.add(new RoutingState.Neighbor(f[0], colon < 0 ? f[5] : f[5].substring(0, colon), f[2],
          slash < 0 ? "" : f[2].substring(slash + 1)));
    }
    return out;
  }

  private static QuaggaConfig file(Target target, String path) throws TransportException {
    return target.transport().read(path).map(b -> QuaggaConfig.parse(new String(b, StandardCharsets.UTF_8)))
        .orElse(QuaggaConfig.parse(""));
  }

  private static void run(Target target, Command command, String where) throws TransportException,
      ActionException {
    ExecResult r = target.transport().exec(command);
    if (!r.ok()) {
      throw new ActionException("cannot change " + where + ": `" + command.argv().get(0) + "` failed (exit "
          + r.exitCode() + "): " + OspfRouterDriver.redact((r.err().isBlank() ? r.out() : r.err()).strip()));
    }
  }
}

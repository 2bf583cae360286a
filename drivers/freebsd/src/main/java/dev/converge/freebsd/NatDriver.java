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
import dev.converge.spec.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code nat} resource on FreeBSD: outbound NAT of one network, as the only rule of the pf anchor
 * {@code converge/NETWORK}: {@code nat on IF inet from CIDR to any -> (IF)}. converge never edits pf.conf: the main
 * ruleset must hold {@code nat-anchor "converge/*"} (FreeBSD keeps nat rules apart from filter rules, so a plain
 * {@code anchor} would not do, driver-facts §4) and pf must be enabled.
 *
 * <p><b>Resource.</b> Id {@code nat/HOST:NETWORK}, properties {@code source} (the network's CIDR) and
 * {@code interface} (the host's external interface).
 *
 * <p><b>Probe.</b> One exec per batch: {@code pfctl -s info} (is pf enabled), {@code pfctl -s nat} (the main
 * ruleset's nat-anchor) and {@code pfctl -a converge/NETWORK -s nat} per network, whose normalised rule
 * ({@code nat on em0 inet from 10.1.0.0/24 to any -> (em0) round-robin}) is parsed back. An empty anchor is absent.
 * While pf is disabled or the nat-anchor is missing, a loaded rule's {@code source} is reported with the reason
 * ({@code "10.1.0.0/24 (not in effect: pf is not enabled)"}), so the plan shows it.
 *
 * <p><b>Apply.</b> Checks pf afresh (the probe script without networks) and fails, naming host and network and
 * saying what to do, while the rule could not take effect; otherwise loads the
 * anchor with {@code pfctl -a converge/NETWORK -f -} (the rule on stdin), which replaces its rules atomically. A
 * delete flushes the anchor's nat rules ({@code -F nat}: {@code -F all} would also reach global state).
 */
public final class NatDriver implements Driver {

  public static final String KIND = "nat";
  public static final String SOURCE = "source";
  public static final String INTERFACE = "interface";

  private static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern IFNAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,14}");
  /** pfctl's normalised print of the rule converge loads; the pool option it appends is ignored. */
  private static final Pattern RULE = Pattern.compile(
      "nat on (\\S+) inet from (\\S+) to any -> \\((\\S+)\\)(?: .*)?");
  private static final Pattern NAT_ANCHOR = Pattern.compile("nat-anchor \"converge/\\*\"(?: .*)?");

  /**
   * Preamble: pfctl -s info tagged {@code info} (or its error, {@code down}), the main ruleset's nat rules tagged
   * {@code main}. Per network: the anchor's nat rules tagged {@code r}.
   */
  static final String SCRIPT = ProbeOutput.LINES_FUNCTION + """
      if i=$(pfctl -s info 2>&1); then printf '%s\\n' "$i" | lines info; else printf '%s\\n' "$i" | lines down; fi
      pfctl -s nat 2>/dev/null | lines main
      for n do
        printf '= %s\\n' "$n"
        pfctl -a "converge/$n" -s nat 2>/dev/null | lines r
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
    for (Resource r : batch) {
      try {
        names.add(network(r.id().name(), target.name()));
      } catch (IllegalArgumentException e) {
        throw new ProbeException(e.getMessage(), e);
      }
    }
    ExecResult r = Remote.forProbe(target, "pf NAT").probe(ProbeOutput.script(SCRIPT, names), "pf NAT");
    ProbeOutput out = ProbeOutput.parse(r.out());
    Optional<String> problem = problem(out.preamble());
    List<Observation> observations = new ArrayList<>();
    for (Resource res : batch) {
      String name = res.id().name();
      ProbeOutput.Section s = out.section(name).orElseThrow(() -> new ProbeException("cannot probe pf NAT on "
          + target.name() + ": no answer for `" + name + "`" + Remote.detail(r)));
      List<String> rules = s.all("r").stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
      if (rules.isEmpty()) {
        observations.add(Observation.absent(res.id()));
        continue;
      }
      String inEffect = problem.map(x -> " (not in effect: " + x + ")").orElse("");
      Matcher m = RULE.matcher(rules.get(0));
      observations.add(Observation.present(res.id(), rules.size() == 1 && m.matches()
          && m.group(1).equals(m.group(3))
          ? Properties.builder().put(SOURCE, m.group(2) + inEffect).put(INTERFACE, m.group(1)).build()
          : Properties.builder().put(SOURCE, String.join("; ", rules) + inEffect).build()));
    }
    return observations;
  }

  /** Why no rule of the converge anchors would apply: pf disabled (or not loaded), or no nat-anchor for them. */
  static Optional<String> problem(ProbeOutput.Section preamble) {
    if (preamble.has("down")) {
      return Optional.of("pf is not loaded (pfctl: " + String.join(" ", preamble.all("down")).strip()
          + "); load and enable it with pf_enable=YES and `service pf start`");
    }
    if (preamble.all("info").stream().noneMatch(l -> l.startsWith("Status: Enabled"))) {
      return Optional.of("pf is not enabled (pfctl -s info: "
          + preamble.first("info").map(String::strip).orElse("no status") + "); enable it with `pfctl -e`"
          + " and pf_enable=YES");
    }
    if (preamble.all("main").stream().map(String::strip).noneMatch(l -> NAT_ANCHOR.matcher(l).matches())) {
      return Optional.of("the main pf ruleset has no `nat-anchor \"converge/*\"`; add it to /etc/pf.conf and"
          + " reload it with `pfctl -f /etc/pf.conf` (converge does not edit pf.conf)");
    }
    return Optional.empty();
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    Resource desired = change.desired();
    String name;
    try {
      name = network(desired.id().name(), target.name());
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    String what = "NAT of network `" + name + "`";
    String anchor = "converge/" + name;
    Remote remote = Remote.forAction(target, what);
    if (!desired.isPresent()) {
      remote.run(Command.of("pfctl", "-a", anchor, "-F", "nat"), what);
      return;
    }
    String rule = rule(desired, target.name());
    // read afresh: the probe may have seen an empty anchor, and pf.conf may have changed since
    ExecResult pf = remote.run(ProbeOutput.script(SCRIPT, List.of()), what);
    Optional<String> problem = problem(ProbeOutput.parse(pf.out()).preamble());
    if (problem.isPresent()) {
      throw new ActionException(what + " on " + target.name() + ": " + problem.get());
    }
    remote.run(Command.of("pfctl", "-a", anchor, "-f", "-").withStdin(rule), what);
  }

  /** The anchor's one rule, from validated values only: pf.conf syntax cannot be smuggled in through the spec. */
  static String rule(Resource desired, String host) throws ActionException {
    String where = "NAT of network `" + desired.id().name() + "` on " + host;
    String source = desired.properties().string(SOURCE).orElse("");
    String ifname = desired.properties().string(INTERFACE).orElse("");
    Cidr cidr;
    try {
      cidr = Cidr.parse(source);
    } catch (IllegalArgumentException e) {
      throw new ActionException(where + ": source " + e.getMessage(), e);
    }
    if (!cidr.isIpv4()) {
      throw new ActionException(where + ": source `" + source + "` is not IPv4 (expected an IPv4 CIDR)");
    }
    if (!IFNAME.matcher(ifname).matches()) {
      throw new ActionException(where + ": interface `" + ifname + "` is not an interface name (expected at most"
          + " 15 letters, digits and `_.-`, starting with a letter)");
    }
    return "nat on " + ifname + " inet from " + cidr + " to any -> (" + ifname + ")\n";
  }

  private static String network(String name, String host) {
    if (!NETWORK.matcher(name).matches()) {
      throw new IllegalArgumentException("NAT of network `" + name + "` on " + host + ": not a network name usable"
          + " as a pf anchor (expected letters, digits, `_` and `-`)");
    }
    return name;
  }
}

package dev.converge.linux;

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
import java.util.Set;

/**
 * The {@code nat} resource ({@code nat/HOST:NETWORK}, properties {@code source}, the network's CIDR, and
 * {@code interface}, the host's external interface): outbound NAT as one rule of converge's own nftables table,
 * {@code ip converge}, chain {@code postrouting} ({@code type nat hook postrouting priority srcnat}):
 * {@code oifname IF ip saddr CIDR masquerade comment "converge:NETWORK"}. No other table is ever touched.
 *
 * <p><b>Probe.</b> One {@code nft -j list table ip converge} for the batch; a missing table means no rules. A network
 * whose rule is not the masquerade converge writes (edited by hand, or doubled) shows that in {@code source}.
 *
 * <p><b>Apply.</b> One {@code nft -f -} transaction: create the table and chain if missing, delete the network's
 * rules by handle (listed just before, since handles are not part of the observation), add the one it should have.
 * A delete removes the network's rules only; the table stays (other networks may use it).
 */
public final class NatDriver implements Driver {

  public static final String KIND = "nat";
  static final String SOURCE = "source";
  static final String INTERFACE = "interface";

  static final Command LIST = Command.of("nft", "-j", "list", "table", "ip", NatRule.TABLE);

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
    Names.NETWORK.requireAll(batch, "nat", target);
    Map<String, List<NatRule>> rules;
    try {
      rules = list(target);
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe nat on " + target.name() + ": " + e.getMessage(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource resource : batch) {
      List<NatRule> mine = rules.getOrDefault(resource.id().name(), List.of());
      observations.add(mine.isEmpty() ? Observation.absent(resource.id())
          : Observation.present(resource.id(), observe(mine)));
    }
    return observations;
  }

  /** converge's rules by network; none when the table does not exist. */
  private static Map<String, List<NatRule>> list(Target target) throws ProbeException {
    ExecResult r = Remote.probe(target, LIST, KIND);
    if (!r.ok()) {
      if (r.err().contains("No such file or directory")) {
        return Map.of();
      }
      throw new IllegalStateException("nft -j list table ip " + NatRule.TABLE + " failed (exit " + r.exitCode() + ")"
          + r.details());
    }
    return NatRule.parse(r.out());
  }

  private static Properties observe(List<NatRule> rules) {
    NatRule first = rules.get(0);
    String source = first.source().orElse("(any)");
    if (!first.masquerade()) {
      source += " (not masqueraded)";
    }
    if (rules.size() > 1) {
      source += " (and " + (rules.size() - 1) + " more rules)";
    }
    return Properties.builder()
        .put(SOURCE, source)
        .put(INTERFACE, first.outputInterface().orElse("(any)"))
        .build();
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String network = change.id().name();
    String where = "nat of network " + network + " on " + target.name();
    StringBuilder script = new StringBuilder();
    try {
      Names.NETWORK.require(network, where);
      if (change.desired().isPresent()) {
        script.append(rule(change.desired(), network, where));
      }
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    List<NatRule> existing;
    try {
      existing = list(target).getOrDefault(network, List.of());
    } catch (ProbeException | IllegalStateException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
    StringBuilder transaction = new StringBuilder();
    if (change.desired().isPresent()) {
      transaction.append("add table ip ").append(NatRule.TABLE).append('\n')
          .append("add chain ip ").append(NatRule.TABLE).append(' ').append(NatRule.CHAIN)
          .append(" { type nat hook postrouting priority srcnat; policy accept; }\n");
    }
    for (NatRule old : existing) {
      transaction.append("delete rule ip ").append(NatRule.TABLE).append(' ').append(NatRule.CHAIN)
          .append(" handle ").append(old.handle()).append('\n');
    }
    transaction.append(script);
    if (transaction.isEmpty()) {
      return;
    }
    Remote.run(target, Command.of("nft", "-f", "-").withStdin(transaction.toString()), "nft -f -", where);
  }

  /** The rule line, from values checked here: they travel inside nft's own language, so nothing else may pass. */
  private static String rule(Resource desired, String network, String where) {
    String iface = Names.INTERFACE.require(desired.properties().string(INTERFACE).orElse(""), where + ": interface");
    String text = desired.properties().string(SOURCE).orElse("");
    Cidr source;
    try {
      source = Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": source " + e.getMessage(), e);
    }
    if (!source.isIpv4()) {
      throw new IllegalArgumentException(where + ": source " + source + " is IPv6, expected an IPv4 prefix (table ip)");
    }
    return "add rule ip " + NatRule.TABLE + " " + NatRule.CHAIN + " oifname \"" + iface + "\" ip saddr " + source
        + " masquerade comment \"" + NatRule.COMMENT_PREFIX + network + "\"\n";
  }
}

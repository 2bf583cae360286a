package dev.converge.spec;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The variables a file template may use, in one place: the loader checks templates with {@link #check}, the
 * compiler renders them with {@link #resolver}. Variables:
 *
 * <ul>
 *   <li>{@code site}
 *   <li>{@code host.name|address|os|loopback}: the host the file is written to
 *   <li>{@code hosts.NAME.name|address|os|loopback}
 *   <li>{@code networks.NAME.cidr|interface|kind}
 *   <li>{@code jails.NAME.name|host|address|hostname} (an {@code auto} address is allocated by IPAM)
 *   <li>{@code zones.NAME.name}
 *   <li>{@code secret.NAME}: the secret's value; the rendered file is then sensitive
 * </ul>
 *
 * <p>{@code loopback} renders as the bare address ({@code 10.0.0.1}), {@code cidr} as {@code 10.0.0.0/24},
 * {@code kind} and {@code os} in lower case. A variable whose value the spec does not give (the address of a
 * local host, say) is an error. Immutable and thread-safe.
 */
public final class TemplateVariables {

  /** Every form of variable, as documented. */
  public static final List<String> FORMS = List.of("site", "host.name", "host.address", "host.os",
      "host.loopback", "hosts.NAME.name", "hosts.NAME.address", "hosts.NAME.os", "hosts.NAME.loopback",
      "networks.NAME.cidr", "networks.NAME.interface", "networks.NAME.kind", "jails.NAME.name", "jails.NAME.host",
      "jails.NAME.address", "jails.NAME.hostname", "zones.NAME.name", "secret.NAME");

  private static final List<String> HOST_ATTRIBUTES = List.of("name", "address", "os", "loopback");
  private static final List<String> NETWORK_ATTRIBUTES = List.of("cidr", "interface", "kind");
  private static final List<String> JAIL_ATTRIBUTES = List.of("name", "host", "address", "hostname");
  private static final List<String> ZONE_ATTRIBUTES = List.of("name");
  private static final List<String> FAMILIES = List.of("site", "host", "hosts", "networks", "jails", "zones",
      "secret");

  private final Spec spec;

  private TemplateVariables(Spec spec) {
    this.spec = spec;
  }

  public static TemplateVariables of(Spec spec) {
    return new TemplateVariables(spec);
  }

  /**
   * What a variable stands for: a text known now, the address IPAM gives a jail, a secret's value, or the reason
   * there is none.
   */
  private sealed interface Lookup {}

  private record Known(String text) implements Lookup {}

  private record AllocatedAddress(String jail) implements Lookup {}

  private record SecretValue(String name) implements Lookup {}

  private record Missing(String reason) implements Lookup {}

  /** One problem per placeholder of {@code template} that cannot be rendered for a file on {@code host}. */
  public List<Problem> check(Template template, String host) {
    List<Problem> problems = new ArrayList<>();
    for (Template.Placeholder p : template.placeholders()) {
      if (lookup(p.variable(), host) instanceof Missing m) {
        problems.add(Problem.error(p.location(), "template variable `${" + p.variable() + "}`: " + m.reason()));
      }
    }
    return problems;
  }

  /**
   * The values of variables for a file on {@code host}, for {@link Template#render}.
   *
   * @param allocated the address IPAM gave a jail with {@code address: auto}
   * @param secrets where {@code secret.NAME} values come from; reading one may throw {@link SecretException}
   */
  public Function<String, Optional<Template.Value>> resolver(String host,
      Function<String, Optional<InetAddress>> allocated, Secrets secrets) {
    return variable -> {
      Lookup lookup = lookup(variable, host);
      if (lookup instanceof Known k) {
        return Optional.of(new Template.Value(k.text(), false));
      }
      if (lookup instanceof AllocatedAddress a) {
        return allocated.apply(a.jail()).map(address -> new Template.Value(InetAddresses.toAddrString(address),
            false));
      }
      if (lookup instanceof SecretValue s) {
        return Optional.of(new Template.Value(secrets.value(s.name()), true));
      }
      return Optional.empty();
    };
  }

  private Lookup lookup(String variable, String host) {
    String[] parts = variable.split("\\.");
    String family = parts[0];
    return switch (family) {
      case "site" -> parts.length == 1 ? new Known(spec.site()) : unknown(variable);
      case "host" -> parts.length == 2 ? host(host, parts[1], "host `" + host + "` (the file's host)")
          : unknown(variable);
      case "hosts" -> parts.length == 3 ? entity(spec.hosts(), "host", parts[1],
          () -> host(parts[1], parts[2], "host `" + parts[1] + "`")) : unknown(variable);
      case "networks" -> parts.length == 3 ? entity(spec.networks(), "network", parts[1],
          () -> network(spec.networks().get(parts[1]), parts[2])) : unknown(variable);
      case "jails" -> parts.length == 3 ? entity(spec.jails(), "jail", parts[1],
          () -> jail(spec.jails().get(parts[1]), parts[2])) : unknown(variable);
      case "zones" -> parts.length >= 3 ? zone(variable) : unknown(variable);
      case "secret" -> parts.length == 2 ? entity(spec.secrets(), "secret", parts[1],
          () -> new SecretValue(parts[1])) : unknown(variable);
      default -> new Missing("found `" + family + "`, expected a variable starting with one of "
          + String.join(", ", FAMILIES) + Suggestions.didYouMean(family, FAMILIES));
    };
  }

  private static Lookup unknown(String variable) {
    return new Missing("found `" + variable + "`, expected one of " + String.join(", ", FORMS));
  }

  private static Lookup entity(Map<String, ?> defined, String label, String name,
      java.util.function.Supplier<Lookup> attribute) {
    if (!defined.containsKey(name)) {
      return new Missing("found " + label + " `" + name + "`, expected a " + label + " defined in the spec"
          + Suggestions.didYouMean(name, defined.keySet()));
    }
    return attribute.get();
  }

  private Lookup host(String name, String attribute, String label) {
    Host h = spec.hosts().get(name);
    if (h == null) {
      return new Missing("found " + label + ", which is not defined in the spec");
    }
    return switch (attribute) {
      case "name" -> new Known(h.name());
      case "os" -> new Known(h.os());
      case "address" -> h.address().<Lookup>map(Known::new)
          .orElseGet(() -> new Missing(label + " has no address (a local host): expected a host with `address`"));
      case "loopback" -> h.loopback().<Lookup>map(l -> new Known(InetAddresses.toAddrString(l.network())))
          .orElseGet(() -> new Missing(label + " has no loopback: expected a host with `loopback`"));
      default -> attribute(attribute, HOST_ATTRIBUTES);
    };
  }

  private static Lookup network(Network n, String attribute) {
    return switch (attribute) {
      case "cidr" -> new Known(n.cidr().toString());
      case "kind" -> new Known(n.kind().name().toLowerCase(java.util.Locale.ROOT));
      case "interface" -> n.interfaceName().<Lookup>map(Known::new).orElseGet(() -> new Missing("network `"
          + n.name() + "` has no interface (a links network): expected a loopback or bridge network"));
      default -> attribute(attribute, NETWORK_ATTRIBUTES);
    };
  }

  private static Lookup jail(Jail j, String attribute) {
    return switch (attribute) {
      case "name" -> new Known(j.name());
      case "host" -> new Known(j.host());
      case "address" -> j.address().<Lookup>map(a -> new Known(InetAddresses.toAddrString(a)))
          .orElseGet(() -> new AllocatedAddress(j.name()));
      case "hostname" -> j.hostname().<Lookup>map(Known::new).orElseGet(() -> new Missing("jail `" + j.name()
          + "` has no hostname: expected a jail with `hostname`"));
      default -> attribute(attribute, JAIL_ATTRIBUTES);
    };
  }

  /** {@code zones.NAME.ATTRIBUTE}, where NAME has dots of its own. */
  private Lookup zone(String variable) {
    int last = variable.lastIndexOf('.');
    String name = variable.substring("zones.".length(), last);
    String attribute = variable.substring(last + 1);
    return entity(spec.zones(), "zone", name, () -> attribute.equals("name") ? new Known(name)
        : attribute(attribute, ZONE_ATTRIBUTES));
  }

  private static Lookup attribute(String found, List<String> attributes) {
    return new Missing("found attribute `" + found + "`, expected one of " + String.join(", ", attributes)
        + Suggestions.didYouMean(found, attributes));
  }
}

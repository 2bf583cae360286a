package dev.converge.spec;

import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Kind;
import dev.converge.spec.Sections.Named;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Binds {@code ospf.areas}: which networks each area advertises, on which hosts, with what timers. */
final class OspfBinder {

  static final List<String> KEYS = List.of("authentication", "networks", "hosts", "hello", "dead", "link-type",
      "fast-convergence");
  private static final List<String> AUTHENTICATION_KEYS = List.of("md5");
  private static final String ALL = "all";
  /** FRR's hello interval when none is given; a dead interval must exceed it. */
  private static final int DEFAULT_HELLO = 10;
  private static final Pattern DOTTED = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,10}");

  private final Binding b;

  OspfBinder(Binding binding) {
    this.b = binding;
  }

  /** An area id in dotted form: {@code 0.0.0.0} as written, {@code 0} as {@code 0.0.0.0}; empty if invalid. */
  static Optional<String> areaId(String text) {
    long id;
    if (NUMBER.matcher(text).matches()) {
      id = Long.parseLong(text);
    } else {
      java.util.regex.Matcher m = DOTTED.matcher(text);
      if (!m.matches()) {
        return Optional.empty();
      }
      id = 0;
      for (int i = 1; i <= 4; i++) {
        int octet = Integer.parseInt(m.group(i));
        if (octet > 255) {
          return Optional.empty();
        }
        id = id << 8 | octet;
      }
    }
    if (id > 0xFFFF_FFFFL) {
      return Optional.empty();
    }
    return Optional.of((id >>> 24) + "." + (id >>> 16 & 0xff) + "." + (id >>> 8 & 0xff) + "." + (id & 0xff));
  }

  void bind() {
    for (Named named : b.sections.ospfAreas().values()) {
      MapReader.of(named.value(), "OSPF area `" + named.name() + "`", named.at(), b.problems, KEYS)
          .ifPresent(r -> area(named, r));
    }
  }

  private void area(Named named, MapReader r) {
    Optional<String> md5 = r.child("authentication", AUTHENTICATION_KEYS)
        .flatMap(a -> a.require("md5", b.reference(Kind.SECRET)));
    List<String> networks = r.list("networks", b.reference(Kind.NETWORK)).orElse(List.of());
    List<String> hosts = hosts(r);
    Optional<Integer> hello = r.get("hello", Conversion.integer(1, 65535));
    Optional<Integer> dead = r.get("dead", Conversion.integer(1, 65535));
    int effectiveHello = hello.orElse(DEFAULT_HELLO);
    dead.filter(d -> d <= effectiveHello).ifPresent(d -> r.error("dead", "found " + d + ", expected more than"
        + " the hello interval (" + effectiveHello + (hello.isEmpty() ? " by default" : "") + ")"));
    Optional<String> linkType = r.get("link-type", Conversion.oneOf("point-to-point", "broadcast"));
    boolean fastConvergence = r.get("fast-convergence", Conversion.bool(), false);
    b.areas.put(named.name(), new Ospf.Area(named.name(), named.at(), md5, networks, hosts, hello, dead,
        linkType, fastConvergence));
  }

  /** {@code all} (the default) as an empty list, or the hosts named. */
  private List<String> hosts(MapReader r) {
    if (r.node().get("hosts").orElse(null) instanceof ScalarNode s && !s.isNull()) {
      if (!s.text().equals(ALL)) {
        r.error("hosts", "found " + s.describe() + ", expected `all` or a list of hosts");
      }
      return List.of();
    }
    List<String> hosts = r.list("hosts", b.reference(Kind.HOST)).orElse(List.of());
    if (r.has("hosts") && hosts.isEmpty() && r.node().get("hosts").orElseThrow() instanceof Node.ListNode l
        && l.items().isEmpty()) {
      r.error("hosts", "found an empty list, expected `all` or at least one host");
    }
    return hosts;
  }
}

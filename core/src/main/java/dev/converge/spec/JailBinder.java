package dev.converge.spec;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Inheritance.Heir;
import dev.converge.spec.Jail.Devel;
import dev.converge.spec.Jail.ImagePolicy;
import dev.converge.spec.Jail.Mount;
import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Sections.Kind;
import dev.converge.spec.Sections.Named;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Binds {@code jails:}, after hosts, images and networks, whose records the checks here need. */
final class JailBinder {

  static final List<String> KEYS = List.of("host", "image", "network", "address", "hostname", "start", "mounts",
      "users", "packages", "resolver", "image-policy", "devel", "runtime", Requirements.KEY, Inheritance.PROFILE);
  private static final List<String> MOUNT_KEYS = List.of("source", "target", "read-only");
  private static final List<String> DEVEL_KEYS = List.of("source", "user");
  private static final String AUTO = "auto";
  private static final String DEVEL_USER = "devel";

  private final Binding b;

  JailBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Named named : b.sections.named(Kind.JAIL).values()) {
      String context = "jail `" + named.name() + "`";
      if (named.value() instanceof MapNode own) {
        MapNode merged = b.inheritance.resolve(Heir.JAIL, named.name(), own);
        jail(named, new MapReader(merged, context, named.at(), b.problems).allowing(KEYS));
      } else {
        MapReader.of(named.value(), context, named.at(), b.problems, KEYS);
      }
    }
  }

  private void jail(Named named, MapReader r) {
    String name = named.name();
    Optional<String> host = r.require("host", b.reference(Kind.HOST));
    Optional<String> image = r.require("image", b.reference(Kind.IMAGE));
    Optional<String> network = r.require("network", b.reference(Kind.NETWORK));
    Optional<Network> net = network.map(b.networks::get);
    net.filter(n -> n.kind() == Network.Kind.LINKS).ifPresent(n -> r.error("network", "found `" + n.name()
        + "`, a links network: expected a loopback or bridge network"));
    Optional<InetAddress> address = r.get("address", Conversion.of("an IP address or `auto`",
        text -> text.equals(AUTO) || InetAddresses.isInetAddress(text) ? text : null))
        .filter(text -> !text.equals(AUTO))
        .map(InetAddresses::forString);
    address.ifPresent(a -> net.filter(n -> n.kind() != Network.Kind.LINKS).ifPresent(n ->
        NetworkBinder.outside(a, n.cidr(), n.kind()).ifPresent(expected -> r.error("address", "found `"
            + InetAddresses.toAddrString(a) + "`, " + expected + " (network `" + n.name() + "`), or `auto`"))));
    address.ifPresent(a -> b.addresses.add(a, "jail `" + name + "`", r.location("address")));
    Optional<String> hostname = r.get("hostname", Conversion.dnsName());
    Optional<String> start = r.get("start", Conversion.text());
    List<Mount> mounts = mounts(r);
    Map<String, User> users = Users.read(r);
    List<String> packages = r.list("packages", Conversion.packageName()).orElse(List.of());
    Optional<String> resolver = r.get("resolver", b.resolver());
    ImagePolicy policy = r.get("image-policy", Conversion.oneOf(ImagePolicy.class), ImagePolicy.FOLLOW);
    Optional<Devel> devel = r.child("devel", DEVEL_KEYS).flatMap(JailBinder::devel);
    Jail.Runtime runtime = r.get("runtime", Conversion.oneOf(Jail.Runtime.class), Jail.Runtime.NETNS);
    List<Reference> requires = b.requirements.read(r);
    if (host.isPresent() && image.isPresent() && network.isPresent()) {
      b.jails.put(name, new Jail(name, named.at(), host.get(), image.get(), network.get(), address, hostname,
          start, mounts, ImmutableMaps.sorted(users), packages, resolver, policy, devel, runtime, requires));
    }
  }

  private static List<Mount> mounts(MapReader r) {
    Optional<ListNode> list = r.listNode("mounts", "a list of mounts such as {source: /data, target: /data}");
    List<Mount> mounts = new ArrayList<>();
    for (int i = 0; list.isPresent() && i < list.get().items().size(); i++) {
      r.item("mounts", i, list.get().items().get(i), MOUNT_KEYS).ifPresent(m -> {
        Optional<String> source = m.require("source", Conversion.absolutePath());
        Optional<String> target = m.require("target", Conversion.absolutePath());
        boolean readOnly = m.get("read-only", Conversion.bool(), false);
        if (source.isPresent() && target.isPresent()) {
          mounts.add(new Mount(source.get(), target.get(), readOnly));
        }
      });
    }
    return mounts;
  }

  private static Optional<Devel> devel(MapReader r) {
    Optional<Path> source = r.path("source");
    if (!r.has("source")) {
      r.missing("source", "the directory to mount at /usr/src, relative to the spec file");
    }
    String user = r.get("user", Conversion.userName(), DEVEL_USER);
    return source.map(s -> new Devel(s, user));
  }
}

package dev.converge.compile;

import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import com.google.common.io.ByteStreams;
import com.google.common.net.InetAddresses;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Host;
import dev.converge.spec.Image;
import dev.converge.spec.Jail;
import dev.converge.spec.Network;
import dev.converge.spec.Spec;
import dev.converge.spec.User;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The resources of the spec's jails and of the images they are built from:
 *
 * <ul>
 *   <li>{@code image/HOST:IMAGE} once per host that has a jail of that image: its source and its digest, the
 *       identity of one build (a tarball's SHA-256, else the SHA-256 of the source's canonical text);
 *   <li>{@code jail/HOST:NAME}: image, network and address, hostname, start command, mounts, users, packages,
 *       resolv.conf, and {@code running: true}. A jail that follows its image also carries the image's digest, so
 *       that a rebuilt image shows as a change; a pinned one does not.
 * </ul>
 *
 * A lab compile leaves out the jails of FreeBSD release images, which the lab's Linux hosts cannot run, and says so.
 *
 * @param jails every compiled jail by name
 * @param notes what was left out, for the plan
 * @param lab whether the hosts are the lab's Linux namespaces, whatever their {@code os}
 */
record JailResources(SortedMap<String, Compiled> jails, List<String> notes, boolean lab) {

  static final String IMAGE = "image";

  /** Where development mode mounts the source directory, as Reggae does. */
  private static final String DEVEL_TARGET = "/usr/src";

  /** A jail as compiled: where it runs, its address, and its resource id. */
  record Compiled(Jail jail, String host, Network network, InetAddress address, ResourceId id, ResourceId image) {

    String addressText() {
      return InetAddresses.toAddrString(address);
    }
  }

  /**
   * Works out each jail's host, address and ids; {@link #add} puts the resources into the graph once DNS has said
   * what the jails' resolv.conf hold.
   *
   * @param lab whether the hosts are the lab's Linux namespaces
   * @throws CompileException naming the jail when it has no address, its host cannot route it, or an image's
   *     tarball cannot be read
   */
  static JailResources of(Spec spec, SortedMap<String, SortedMap<String, String>> allocations, boolean lab)
      throws CompileException {
    List<String> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    SortedMap<String, Compiled> jails = new TreeMap<>();
    SortedMap<String, List<String>> unrunnable = new TreeMap<>();
    for (Jail j : spec.jails().values()) {
      Image image = spec.images().get(j.image());
      if (lab && image.source() instanceof Image.FreebsdRelease) {
        unrunnable.computeIfAbsent(image.name(), k -> new ArrayList<>()).add(j.name());
        continue;
      }
      Network net = spec.networks().get(j.network());
      Optional<InetAddress> address = j.address().or(() -> Optional.ofNullable(
          allocations.getOrDefault(j.network(), new TreeMap<>()).get(Ipam.jailOwner(j.name())))
          .map(InetAddresses::forString));
      if (address.isEmpty()) {
        errors.add(j.location() + ": jail `" + j.name() + "` has no address on network `" + net.name() + "`");
        continue;
      }
      jails.put(j.name(), new Compiled(j, j.host(), net, address.get(), ResourceId.of(Compiler.JAIL, j.host(), j.name()),
          ResourceId.of(IMAGE, j.host(), j.image())));
    }
    unrunnable.forEach((image, names) -> notes.add((names.size() == 1 ? "jail " : "jails ") + String.join(", ", names)
        + " (image " + image + " is a FreeBSD release, which the lab's Linux hosts cannot run)"));
    for (Compiled c : jails.values()) {
      gateway(spec, c).ifPresentOrElse(g -> { }, () -> errors.add(c.jail().location() + ": jail `" + c.jail().name()
          + "` on network `" + c.network().name() + "`: host `" + c.host() + "` has no address to route it from:"
          + " expected an address of the host on `" + c.network().name() + "`"
          + (c.network().kind() == Network.Kind.LOOPBACK ? " or a loopback" : "")));
    }
    if (!errors.isEmpty()) {
      throw new CompileException(String.join("\n", errors));
    }
    return new JailResources(jails, List.copyOf(notes), lab);
  }

  /**
   * Adds the image and jail resources to {@code graph}: each jail after its image.
   *
   * @param resolvConf the content of each jail's /etc/resolv.conf, for jails that have a resolver
   * @param invoking the user running converge, whose ids a development-mode user takes
   * @throws CompileException when an image's local tarball or a user's ssh-key file cannot be read
   */
  void add(Spec spec, Map<String, String> resolvConf, InvokingUser invoking, DesiredGraph.Builder graph)
      throws CompileException {
    List<String> errors = new ArrayList<>();
    Map<String, Properties> images = new TreeMap<>();
    Set<ResourceId> added = new HashSet<>();
    for (Compiled c : jails.values()) {
      Properties image;
      try {
        image = images.computeIfAbsent(c.jail().image(), name -> image(spec.images().get(name)));
      } catch (UncheckedCompileException e) {
        errors.add(e.getCause().getMessage());
        continue;
      }
      if (added.add(c.image())) {
        graph.add(Resource.present(c.image(), image, spec.images().get(c.jail().image()).location()));
      }
      try {
        graph.add(Resource.present(c.id(), jail(spec, c, image, resolvConf, invoking, lab), c.jail().location()));
      } catch (CompileException e) {
        errors.add(e.getMessage());
        continue;
      }
      graph.requires(c.id(), c.image());
    }
    if (!errors.isEmpty()) {
      throw new CompileException(String.join("\n", errors));
    }
  }

  private static Properties jail(Spec spec, Compiled c, Properties image, Map<String, String> resolvConf,
      InvokingUser invoking, boolean lab) throws CompileException {
    Jail j = c.jail();
    Host host = spec.hosts().get(c.host());
    boolean loopback = c.network().kind() == Network.Kind.LOOPBACK;
    SortedMap<String, Object> network = new TreeMap<>();
    network.put("name", c.network().name());
    network.put("kind", loopback ? "loopback" : "bridge");
    network.put("interface", c.network().interfaceName().orElse(c.network().name()));
    network.put("address", c.addressText());
    network.put("prefix", (long) (loopback ? (c.address().getAddress().length == 4 ? 32 : 128)
        : c.network().cidr().prefix()));
    network.put("gateway", gateway(spec, c).orElseThrow());
    List<Object> mounts = new ArrayList<>();
    for (Jail.Mount m : j.mounts()) {
      mounts.add(mount(m.source(), m.target(), m.readOnly()));
    }
    SortedMap<String, Object> users = new TreeMap<>();
    for (User u : j.users().values()) {
      users.put(u.name(), user(u, j));
    }
    if (j.devel().isPresent()) {
      Jail.Devel devel = j.devel().get();
      mounts.add(mount(devel.source().toAbsolutePath().normalize().toString(), DEVEL_TARGET, false));
      SortedMap<String, Object> user = new TreeMap<>();
      user.put("uid", (long) invoking.uid());
      user.put("gid", (long) invoking.gid());
      user.put("sudo", false);
      users.put(devel.user(), user);
    }
    Properties.Builder p = Properties.builder()
        .put("image", j.image())
        .put("network", network)
        .put("hostname", j.hostname().orElse(j.name()))
        .put("start", j.start())
        .put("mounts", mounts)
        .put("users", users)
        .put("packages", List.copyOf(j.packages()))
        .put("resolv-conf", Optional.ofNullable(resolvConf.get(j.name())))
        .put("running", true);
    if (j.imagePolicy() == Jail.ImagePolicy.FOLLOW) {
      p.put("image-digest", image.get("digest").orElseThrow());
    }
    if (!"freebsd".equals(host.os()) || lab) {
      p.put("runtime", j.runtime().name().toLowerCase(Locale.ROOT));
    }
    return p.build();
  }

  private static SortedMap<String, Object> mount(String source, String target, boolean readOnly) {
    SortedMap<String, Object> m = new TreeMap<>();
    m.put("source", source);
    m.put("target", target);
    m.put("read-only", readOnly);
    return m;
  }

  /** A jail user: its key lines as one text (the ssh-key file is read now), sudo, and its ids when given. */
  private static SortedMap<String, Object> user(User u, Jail j) throws CompileException {
    SortedMap<String, Object> p = new TreeMap<>();
    p.put("sudo", u.sudo());
    u.uid().ifPresent(uid -> p.put("uid", uid.longValue()));
    u.gid().ifPresent(gid -> p.put("gid", gid.longValue()));
    if (u.sshKey().isPresent()) {
      try {
        List<String> keys = Files.readAllLines(u.sshKey().get(), StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
        if (keys.isEmpty()) {
          throw new CompileException(j.location() + ": user `" + u.name() + "` of jail `" + j.name() + "`: ssh-key "
              + u.sshKey().get() + " holds no key: expected a public key such as ~/.ssh/id_ed25519.pub");
        }
        p.put("ssh-key", String.join("\n", keys));
      } catch (IOException e) {
        throw new CompileException(j.location() + ": user `" + u.name() + "` of jail `" + j.name()
            + "`: cannot read ssh-key " + u.sshKey().get() + " (" + e.getClass().getSimpleName() + ")", e);
      }
    }
    return p;
  }

  /**
   * The host's end of a jail's route: on a loopback network the host's own address there, else its loopback (the
   * jail's /32 is routed from either); on a bridge the host's address on it.
   */
  private static Optional<String> gateway(Spec spec, Compiled c) {
    List<InetAddress> own = c.network().addresses().getOrDefault(c.host(), List.of()).stream()
        .filter(a -> a.getAddress().length == c.address().getAddress().length)
        .toList();
    if (!own.isEmpty()) {
      return Optional.of(InetAddresses.toAddrString(own.get(0)));
    }
    if (c.network().kind() == Network.Kind.LOOPBACK) {
      return spec.hosts().get(c.host()).loopback()
          .filter(l -> l.network().getAddress().length == c.address().getAddress().length)
          .map(l -> InetAddresses.toAddrString(l.network()));
    }
    return Optional.empty();
  }

  private static Properties image(Image image) {
    SortedMap<String, Object> source = new TreeMap<>();
    String digest;
    if (image.source() instanceof Image.Tarball t) {
      source.put("type", "tarball");
      boolean web = t.url().matches("(?i)https?://.*");
      source.put(web ? "url" : "path", t.url());
      String sha256 = t.sha256().map(h -> h.toLowerCase(Locale.ROOT))
          .orElseGet(() -> fileSha256(image, Path.of(t.url())));
      source.put("sha256", sha256);
      digest = "sha256:" + sha256;
    } else if (image.source() instanceof Image.Debootstrap d) {
      source.put("type", "debootstrap");
      source.put("suite", d.suite());
      source.put("variant", d.variant());
      source.put("mirror", d.mirror().orElse("http://deb.debian.org/debian"));
      source.put("packages", List.copyOf(d.packages()));
      digest = textDigest(source);
    } else {
      Image.FreebsdRelease r = (Image.FreebsdRelease) image.source();
      source.put("type", "freebsd-release");
      source.put("version", r.version());
      source.put("arch", r.arch());
      source.put("sets", List.copyOf(r.sets()));
      source.put("mirror", r.mirror().orElse("https://download.freebsd.org/releases"));
      digest = textDigest(source);
    }
    return Properties.builder()
        .put("source", source)
        .put("digest", digest)
        .put("stale", List.of())
        .build();
  }

  /** The SHA-256 of {@code key=value} lines in key order, list items joined by commas: stable across versions. */
  private static String textDigest(SortedMap<String, Object> source) {
    StringBuilder text = new StringBuilder();
    source.forEach((k, v) -> text.append(k).append('=')
        .append(v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : v)
        .append('\n'));
    return "sha256:" + Hashing.sha256().hashString(text, StandardCharsets.UTF_8);
  }

  private static String fileSha256(Image image, Path file) {
    try (InputStream in = Files.newInputStream(file);
        HashingInputStream hashing = new HashingInputStream(Hashing.sha256(), in)) {
      ByteStreams.exhaust(hashing);
      return hashing.hash().toString();
    } catch (IOException e) {
      throw new UncheckedCompileException(new CompileException(image.location() + ": image `" + image.name()
          + "`: cannot read tarball " + file + " (" + e.getClass().getSimpleName() + ")", e));
    }
  }

  /** Carries a compile error out of a {@code computeIfAbsent}. */
  private static final class UncheckedCompileException extends RuntimeException {
    UncheckedCompileException(CompileException cause) {
      super(cause);
    }
  }

  /** The user running converge: a development-mode jail user gets its ids, so that files it writes are theirs. */
  record InvokingUser(int uid, int gid) {

    /** Under sudo the user who ran sudo ({@code SUDO_UID}, {@code SUDO_GID}), else the owner of this process. */
    static InvokingUser current() {
      Map<String, String> env = System.getenv();
      try {
        if (env.containsKey("SUDO_UID") && env.containsKey("SUDO_GID")) {
          return new InvokingUser(Integer.parseInt(env.get("SUDO_UID")), Integer.parseInt(env.get("SUDO_GID")));
        }
        Path self = Path.of("/proc/self");
        return new InvokingUser((Integer) Files.getAttribute(self, "unix:uid"),
            (Integer) Files.getAttribute(self, "unix:gid"));
      } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
        return new InvokingUser(0, 0);
      }
    }
  }
}

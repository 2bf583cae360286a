package dev.converge.compile;

import com.google.common.net.InetAddresses;
import dev.converge.graph.CycleException;
import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.FileSpec;
import dev.converge.spec.GenericResource;
import dev.converge.spec.Host;
import dev.converge.spec.Jail;
import dev.converge.spec.Reference;
import dev.converge.spec.SecretException;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.spec.Template;
import dev.converge.spec.TemplateVariables;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Expands a validated spec into the desired graph: each spec entity becomes fine-grained resources owned by one
 * driver each, with edges from references ({@code requires:}, and a resource on a host after that host's own
 * resources). Also runs IPAM, whose allocations templates can use.
 */
public final class Compiler {

  /** The kind of the file resource. */
  public static final String FILE = "file";
  /** The kind of jails: a jail's name is also a target, whose resources are reached inside the jail. */
  public static final String JAIL = "jail";

  private Compiler() {}

  /**
   * Compiles {@code spec}.
   *
   * @param recordedAllocations IPAM allocations from state, kept where still valid
   * @throws CycleException when {@code requires:} edges go round in a circle
   * @throws CompileException when a network is full, a secret cannot be read, a template cannot be rendered
   */
  public static Compilation compile(Spec spec, Map<String, ? extends Map<String, String>> recordedAllocations,
      Secrets secrets) throws CompileException, CycleException {
    return compile(spec, recordedAllocations, secrets, false);
  }

  /**
   * Compiles {@code spec}; with {@code lab} (the hosts are the lab's Linux namespaces, whose veths are the links)
   * the links of networks with a {@code tunnel:} compile as plain links, so that converge builds no tunnel to the
   * spec's real addresses, and jails of FreeBSD release images are left out, since Linux cannot run them.
   *
   * @param recordedAllocations IPAM allocations from state, kept where still valid
   * @throws CycleException when {@code requires:} edges go round in a circle
   * @throws CompileException when a network is full, a secret cannot be read, a template cannot be rendered
   */
  public static Compilation compile(Spec spec, Map<String, ? extends Map<String, String>> recordedAllocations,
      Secrets secrets, boolean lab) throws CompileException, CycleException {
    SortedMap<String, SortedMap<String, String>> allocations = Ipam.allocate(spec, recordedAllocations);
    TemplateContext context = new TemplateContext(spec, allocations, secrets);
    DesiredGraph.Builder graph = DesiredGraph.builder();
    Map<String, Set<ResourceId>> entities = new HashMap<>();
    spec.hosts().keySet().forEach(h -> entities.put("host/" + h, Set.of()));
    spec.networks().keySet().forEach(n -> entities.put("network/" + n, Set.of()));
    spec.jails().keySet().forEach(j -> entities.put("jail/" + j, Set.of()));
    spec.zones().keySet().forEach(z -> entities.put("zone/" + z, Set.of()));
    spec.images().keySet().forEach(i -> entities.put("image/" + i, Set.of()));

    List<String> errors = new ArrayList<>();
    JailResources jails = new JailResources(new TreeMap<>(), List.of(), lab);
    try {
      jails = JailResources.of(spec, allocations, lab);
    } catch (CompileException e) {
      errors.add(e.getMessage());
    }
    Map<String, HostResources> hosts = new HashMap<>();
    for (Host h : spec.hosts().values()) {
      try {
        hosts.put(h.name(), HostResources.of(h, graph));
      } catch (CompileException e) {
        errors.add(e.getMessage());
      }
    }
    NetworkResources network = NetworkResources.EMPTY;
    try {
      network = NetworkResources.of(spec, allocations, secrets, lab, jails.jails().values(), graph);
    } catch (CompileException e) {
      errors.add(e.getMessage());
    }
    DnsResources dns = null;
    try {
      dns = DnsResources.of(spec, secrets, jails.jails(), graph);
      jails.add(spec, dns.jailResolvConf(), JailResources.InvokingUser.current(), graph);
    } catch (CompileException e) {
      errors.add(e.getMessage());
    }
    // a host's network resources count among its basics: its files, services and `requires: [host/x]` wait for them
    Map<String, List<ResourceId>> basics = new HashMap<>();
    for (var e : hosts.entrySet()) {
      List<ResourceId> networked = network.byHost().getOrDefault(e.getKey(), List.of());
      List<ResourceId> all = new ArrayList<>(e.getValue().basics());
      all.addAll(networked);
      basics.put(e.getKey(), List.copyOf(all));
      entities.put("host/" + e.getKey(), Set.copyOf(all));
      e.getValue().services().forEach(s -> networked.forEach(n -> graph.requires(s, n)));
      ResourceId router = network.routers().get(e.getKey());
      if (router != null) {
        e.getValue().packages().forEach(p -> graph.requires(router, p));
      }
    }
    network.byNetwork().forEach((n, ids) -> entities.put("network/" + n, ids));
    record Pending(ResourceId id, String host, List<Reference> requires) {}
    List<Pending> pending = new ArrayList<>();
    if (dns != null) {
      dns.byZone().forEach((z, ids) -> entities.put("zone/" + z, ids));
      for (var e : dns.resolverFiles().entrySet()) {
        entities.put("file/" + e.getKey() + ":" + DnsResources.RESOLV_CONF, Set.of(e.getValue()));
        pending.add(new Pending(e.getValue(), e.getKey(), List.of()));
      }
      // BIND on a host is set up like its routing daemon: after the host's packages
      for (Set<ResourceId> ids : dns.byZone().values()) {
        ids.stream().filter(id -> id.kind().equals(DnsResources.DNS_ZONE) && hosts.containsKey(id.target()))
            .forEach(zone -> hosts.get(zone.target()).packages().forEach(p -> graph.requires(zone, p)));
      }
    }
    for (JailResources.Compiled j : jails.jails().values()) {
      entities.put("jail/" + j.jail().name(), Set.of(j.id()));
      pending.add(new Pending(j.id(), j.host(), j.jail().requires()));
      pending.add(new Pending(j.image(), j.host(), List.of()));
    }
    Map<String, Set<ResourceId>> images = new TreeMap<>();
    jails.jails().values().forEach(j -> images.computeIfAbsent("image/" + j.jail().image(), k -> new TreeSet<>())
        .add(j.image()));
    entities.putAll(images);
    for (FileSpec f : spec.files()) {
      ResourceId id = ResourceId.of(FILE, f.host(), f.path());
      try {
        graph.add(file(f, id, context));
      } catch (CompileException e) {
        errors.add(e.getMessage());
        continue;
      }
      entities.put("file/" + f.host() + ":" + f.path(), Set.of(id));
      pending.add(new Pending(id, f.host(), f.requires()));
    }
    for (GenericResource g : spec.resources()) {
      ResourceId id = ResourceId.of(g.kind(), g.host(), g.name());
      graph.add(g.absent() ? Resource.absent(id, g.location()) : Resource.present(id, Properties.of(g.properties()),
          g.location()));
      entities.put(g.kind() + "/" + g.host() + ":" + g.name(), Set.of(id));
      pending.add(new Pending(id, g.host(), g.requires()));
    }
    if (!errors.isEmpty()) {
      throw new CompileException(String.join("\n", errors));
    }
    for (Pending p : pending) {
      HostResources host = hosts.get(p.host());
      basics.get(p.host()).forEach(dependency -> graph.requires(p.id(), dependency));
      if (p.id().kind().equals(FILE)) {
        host.services().forEach(service -> graph.requires(service, p.id()));
      }
      for (Reference ref : p.requires()) {
        Set<ResourceId> targets = entities.get(ref.kind() + "/" + ref.name());
        if (targets == null) {
          throw new CompileException(ref.location() + ": `" + ref + "` names nothing in the spec");
        }
        targets.stream().filter(t -> !t.equals(p.id())).forEach(t -> graph.requires(p.id(), t));
      }
    }
    List<String> notes = new ArrayList<>();
    if (!jails.notes().isEmpty()) {
      notes.add("left out: " + String.join(", ", jails.notes()));
    }
    if (!dns.unmanaged().isEmpty()) {
      notes.add("not managed: " + String.join(", ", dns.unmanaged()));
    }
    return new Compilation(graph.build(), allocations, entities, List.copyOf(notes));
  }

  private static Resource file(FileSpec f, ResourceId id, TemplateContext context) throws CompileException {
    if (f.absent()) {
      return Resource.absent(id, f.location());
    }
    String content;
    boolean sensitive = false;
    if (f.template().isPresent()) {
      Template.Rendered rendered = context.render(f.template().get(), f.host());
      content = rendered.text();
      sensitive = rendered.sensitive();
    } else {
      content = f.content().orElse("");
    }
    Properties.Builder p = Properties.builder()
        .put("type", "file")
        .put("content", sensitive ? new Sensitive(content) : content)
        .put("mode", String.format("%04o", f.mode().orElse(sensitive ? 0600 : 0644)))
        .put("owner", f.owner())
        .put("group", f.group());
    return Resource.present(id, p.build(), f.location());
  }

  /** Renders templates with the loader's {@link TemplateVariables}, IPAM's allocations and the secrets. */
  private record TemplateContext(TemplateVariables variables, Spec spec,
      SortedMap<String, SortedMap<String, String>> allocations, Secrets secrets) {

    TemplateContext(Spec spec, SortedMap<String, SortedMap<String, String>> allocations, Secrets secrets) {
      this(TemplateVariables.of(spec), spec, allocations, secrets);
    }

    Template.Rendered render(Template t, String host) throws CompileException {
      try {
        return t.render(variables.resolver(host, this::allocated, secrets));
      } catch (SecretException | IllegalArgumentException e) {
        throw new CompileException(e.getMessage(), e);
      }
    }

    private Optional<InetAddress> allocated(String jail) {
      Jail j = spec.jails().get(jail);
      if (j == null) {
        return Optional.empty();
      }
      String address = allocations.getOrDefault(j.network(), new TreeMap<>()).get(Ipam.jailOwner(jail));
      return Optional.ofNullable(address).map(InetAddresses::forString);
    }
  }
}

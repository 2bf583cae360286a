package dev.converge.compile;

import dev.converge.graph.DesiredGraph;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Host;
import dev.converge.spec.HostBasics;
import dev.converge.spec.User;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * A host's own resources, from {@code hostname}, {@code sysctl}, {@code repositories}, {@code packages},
 * {@code users} and {@code services}, added to the graph in the order a host is set up: repositories before packages,
 * packages before users. The caller puts the host's files after {@link #basics()} and before {@link #services()}.
 *
 * @param basics everything but the services: what files and other resources on the host wait for
 * @param packages the host's packages, which its OSPF router waits for (the routing daemon may be one of them)
 * @param services started last, after everything else on the host
 */
record HostResources(List<ResourceId> basics, List<ResourceId> packages, List<ResourceId> services) {

  static final String HOSTNAME = "hostname";
  static final String SYSCTL = "sysctl";
  static final String REPOSITORY = "package-repository";
  static final String PACKAGE = "package";
  static final String USER = "user";
  static final String SERVICE = "service";

  /** Adds {@code host}'s resources to {@code graph}; a user's unreadable ssh-key file is an error. */
  static HostResources of(Host host, DesiredGraph.Builder graph) throws CompileException {
    HostBasics b = host.basics();
    String h = host.name();
    List<ResourceId> basics = new ArrayList<>();
    b.hostname().ifPresent(name -> basics.add(add(graph, HOSTNAME, host, HOSTNAME,
        Properties.builder().put("name", name).build())));
    b.sysctl().forEach((key, value) -> basics.add(add(graph, SYSCTL, host, key,
        Properties.builder().put("value", value).build())));
    List<ResourceId> repositories = new ArrayList<>();
    b.repositories().forEach((name, source) -> repositories.add(add(graph, REPOSITORY, host, name,
        Properties.builder().put("source", source).build())));
    List<ResourceId> packages = new ArrayList<>();
    for (String p : b.packages()) {
      ResourceId id = add(graph, PACKAGE, host, p, Properties.builder().put("installed", true).build());
      repositories.forEach(r -> graph.requires(id, r));
      packages.add(id);
    }
    List<ResourceId> users = new ArrayList<>();
    for (User u : b.users().values()) {
      ResourceId id = add(graph, USER, host, u.name(), user(u, h));
      packages.forEach(p -> graph.requires(id, p));
      users.add(id);
    }
    basics.addAll(repositories);
    basics.addAll(packages);
    basics.addAll(users);
    List<ResourceId> services = new ArrayList<>();
    for (HostBasics.Service s : b.services().values()) {
      ResourceId id = add(graph, SERVICE, host, s.name(),
          Properties.builder().put("enabled", s.enabled()).put("running", s.running()).build());
      packages.forEach(p -> graph.requires(id, p));
      users.forEach(u -> graph.requires(id, u));
      services.add(id);
    }
    return new HostResources(List.copyOf(basics), List.copyOf(packages), List.copyOf(services));
  }

  private static ResourceId add(DesiredGraph.Builder graph, String kind, Host host, String name, Properties p) {
    ResourceId id = ResourceId.of(kind, host.name(), name);
    graph.add(Resource.present(id, p, host.location()));
    return id;
  }

  /** The user's properties; its ssh-key file (on this machine) is read now, and its key lines are authorised. */
  static Properties user(User u, String host) throws CompileException {
    Properties.Builder p = Properties.builder()
        .put("uid", u.uid().map(Integer::longValue))
        .put("gid", u.gid().map(Integer::longValue))
        .put("shell", u.shell())
        .put("sudo", u.sudo());
    if (!u.groups().isEmpty()) {
      p.put("groups", u.groups());
    }
    if (u.sshKey().isPresent()) {
      try {
        List<String> keys = Files.readAllLines(u.sshKey().get(), StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
        if (keys.isEmpty()) {
          throw new CompileException("user `" + u.name() + "` on host `" + host + "`: ssh-key " + u.sshKey().get()
              + " holds no key: expected a public key such as ~/.ssh/id_ed25519.pub");
        }
        p.put("authorized-keys", keys);
      } catch (IOException e) {
        throw new CompileException("user `" + u.name() + "` on host `" + host + "`: cannot read ssh-key "
            + u.sshKey().get() + " (" + e.getClass().getSimpleName() + ")", e);
      }
    }
    return p.build();
  }
}

package dev.converge.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What a host itself should look like: its hostname, sysctls, package repositories and packages, users and services.
 * Everything is optional; what the spec leaves out is not managed.
 *
 * @param repositories name → source: a sources.list line on Debian ({@code deb [trusted=yes] file:/srv/repo ./}), a
 *     repository URL for pkg on FreeBSD
 */
public record HostBasics(
    Optional<String> hostname,
    SortedMap<String, String> sysctl,
    SortedMap<String, String> repositories,
    List<String> packages,
    SortedMap<String, User> users,
    SortedMap<String, Service> services) {

  public static final HostBasics NONE = new HostBasics(Optional.empty(), Map.of(), Map.of(), List.of(), Map.of(),
      Map.of());

  public HostBasics(Optional<String> hostname, Map<String, String> sysctl, Map<String, String> repositories,
      List<String> packages, Map<String, User> users, Map<String, Service> services) {
    this(hostname, ImmutableMaps.sorted(sysctl), ImmutableMaps.sorted(repositories), packages,
        ImmutableMaps.sorted(users), ImmutableMaps.sorted(services));
  }

  public HostBasics {
    sysctl = ImmutableMaps.sorted(sysctl);
    repositories = ImmutableMaps.sorted(repositories);
    packages = List.copyOf(packages);
    users = ImmutableMaps.sorted(users);
    services = ImmutableMaps.sorted(services);
  }

  /** A service that should be enabled at boot and/or running now. */
  public record Service(String name, boolean enabled, boolean running) {}
}

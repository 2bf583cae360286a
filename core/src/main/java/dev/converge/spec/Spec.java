package dev.converge.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A whole site as the spec files describe it, validated, with includes, {@code defaults} and {@code profiles}
 * already merged into hosts and jails. Maps are sorted by name; lists keep the order of the files. Immutable.
 *
 * @param sources every file read, the root first, then includes in the order they were reached
 */
public record Spec(
    String site,
    SortedMap<String, SecretRef> secrets,
    SortedMap<String, Image> images,
    SortedMap<String, Host> hosts,
    SortedMap<String, Network> networks,
    Ospf ospf,
    SortedMap<String, Zone> zones,
    SortedMap<String, Jail> jails,
    List<FileSpec> files,
    List<GenericResource> resources,
    List<Path> sources) {

  public Spec {
    secrets = ImmutableMaps.sorted(secrets);
    images = ImmutableMaps.sorted(images);
    hosts = ImmutableMaps.sorted(hosts);
    networks = ImmutableMaps.sorted(networks);
    zones = ImmutableMaps.sorted(zones);
    jails = ImmutableMaps.sorted(jails);
    files = List.copyOf(files);
    resources = List.copyOf(resources);
    sources = List.copyOf(sources);
  }

  /** The root spec file. */
  public Path root() {
    return sources.get(0);
  }

  /** A spec with only {@code site} and {@code hosts}, for building fixtures in code. */
  public static Spec of(String site, Map<String, Host> hosts, List<FileSpec> files, List<GenericResource> resources,
      Path root) {
    return new Spec(site, Map.of(), Map.of(), hosts, Map.of(), Ospf.NONE, Map.of(), Map.of(), files, resources,
        List.of(root));
  }

  public Spec(
      String site,
      Map<String, SecretRef> secrets,
      Map<String, Image> images,
      Map<String, Host> hosts,
      Map<String, Network> networks,
      Ospf ospf,
      Map<String, Zone> zones,
      Map<String, Jail> jails,
      List<FileSpec> files,
      List<GenericResource> resources,
      List<Path> sources) {
    this(site, ImmutableMaps.sorted(secrets), ImmutableMaps.sorted(images), ImmutableMaps.sorted(hosts),
        ImmutableMaps.sorted(networks), ospf, ImmutableMaps.sorted(zones), ImmutableMaps.sorted(jails), files,
        resources, sources);
  }
}

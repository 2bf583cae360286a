package dev.converge.spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * An isolated environment on a host, built from an image, with an address on a network.
 *
 * @param address a fixed address, or empty for {@code auto} (allocated from the network by IPAM, kept in state)
 * @param imagePolicy {@code follow} moves the jail to a rebuilt image, {@code pin} keeps the one it has
 * @param devel development mode: {@code source} (management side) mounted at /usr/src, a devel user with the
 *     invoking user's uid:gid
 */
public record Jail(
    String name,
    Location location,
    String host,
    String image,
    String network,
    Optional<InetAddress> address,
    Optional<String> hostname,
    Optional<String> start,
    List<Mount> mounts,
    SortedMap<String, User> users,
    List<String> packages,
    Optional<String> resolver,
    ImagePolicy imagePolicy,
    Optional<Devel> devel,
    List<Reference> requires) {

  public Jail {
    mounts = List.copyOf(mounts);
    users = ImmutableMaps.sorted(users);
    packages = List.copyOf(packages);
    requires = List.copyOf(requires);
  }

  public boolean autoAddress() {
    return address.isEmpty();
  }

  /** Whether a jail follows its image when the image is rebuilt. */
  public enum ImagePolicy {
    FOLLOW,
    PIN
  }

  /** A host directory mounted into the jail at {@code target} (both absolute, normalised). */
  public record Mount(String source, String target, boolean readOnly) {}

  /** Development mode settings. */
  public record Devel(Path source, String user) {}
}

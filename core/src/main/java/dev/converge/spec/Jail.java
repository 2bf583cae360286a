package dev.converge.spec;

import com.google.common.hash.Hashing;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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
 * @param runtime on Linux hosts, what runs the jail: {@code netns} (a network namespace, unshare and chroot, the
 *     default) or {@code nspawn} (systemd-nspawn)
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
    Runtime runtime,
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

  /**
   * The host's side of a Linux jail's link to its host: {@code vj-NAME}, or past 15 characters {@code vj-}, the first
   * eight of the name and four hex digits of its SHA-256. The jail driver makes it; OSPF advertises the jail's /32
   * over it.
   */
  public static String linkInterface(String jail) {
    String full = "vj-" + jail;
    if (full.length() <= 15) {
      return full;
    }
    String hash = Hashing.sha256().hashString(jail, StandardCharsets.UTF_8).toString();
    return "vj-" + jail.substring(0, 8) + hash.substring(0, 4);
  }

  /** What runs a jail on a Linux host. */
  public enum Runtime {
    NETNS,
    NSPAWN
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

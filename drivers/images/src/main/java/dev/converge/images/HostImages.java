package dev.converge.images;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one probe saw of a host's images: per image the build {@code current} names and every build directory with its
 * marker (none for a half-built one), and which image directories the host's jails record in their {@code jail.json}.
 *
 * <p>The probe prints one line per fact: {@code used JAIL DIR}, {@code current NAME ID}, {@code build NAME ID JSON}
 * (the marker on one line) and {@code partial NAME ID} (a build directory without marker). On FreeBSD a first line
 * says how builds are stored: {@code zfs POOL MOUNTPOINT} (datasets below {@code POOL/converge/images}, mounted
 * there) or {@code dirs}.
 *
 * @param zfs the pool and the mountpoint of {@code POOL/converge/images} when builds are ZFS datasets
 */
record HostImages(Optional<Zfs> zfs, Map<String, String> current, Map<String, Map<String, Optional<Marker>>> builds,
    Map<String, List<String>> users) {

  /** Builds are datasets {@code POOL/converge/images/NAME/ID}, mounted below {@code mountpoint}. */
  record Zfs(String pool, String mountpoint) {}

  static HostImages parse(String out) {
    Map<String, String> current = new TreeMap<>();
    Map<String, Map<String, Optional<Marker>>> builds = new TreeMap<>();
    Map<String, List<String>> users = new TreeMap<>();
    Optional<Zfs> zfs = Optional.empty();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(" ", 4);
      switch (f[0]) {
        case "zfs" -> zfs = Optional.of(new Zfs(field(f, 1, line), line.substring(line.indexOf(' ', 4) + 1)));
        case "dirs" -> zfs = Optional.empty();
        case "used" -> users.computeIfAbsent(field(f, 2, line), d -> new ArrayList<>()).add(field(f, 1, line));
        case "current" -> current.put(field(f, 1, line), field(f, 2, line));
        case "build" -> {
          Marker marker;
          try {
            marker = Marker.parse(field(f, 3, line));
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the marker of build " + f[2] + " of image " + f[1] + " is damaged: "
                + e.getMessage(), e);
          }
          builds.computeIfAbsent(f[1], n -> new TreeMap<>()).put(field(f, 2, line), Optional.of(marker));
        }
        case "partial" -> builds.computeIfAbsent(field(f, 1, line), n -> new TreeMap<>())
            .put(field(f, 2, line), Optional.empty());
        default -> throw new IllegalStateException("unexpected line in the image probe: " + line);
      }
    }
    return new HostImages(zfs, current, builds, users);
  }

  private static String field(String[] fields, int i, String line) {
    if (fields.length <= i) {
      throw new IllegalStateException("unexpected line in the image probe: " + line);
    }
    return fields[i];
  }

  /** The marker of {@code image}'s current build; empty when it has none (never built, or half-built). */
  Optional<Marker> currentMarker(String image) {
    String id = current.get(image);
    if (id == null) {
      return Optional.empty();
    }
    return builds.getOrDefault(image, Map.of()).getOrDefault(id, Optional.empty());
  }

  /** The marker of {@code image}'s build {@code id}, if it is finished. */
  Optional<Marker> marker(String image, String id) {
    return builds.getOrDefault(image, Map.of()).getOrDefault(id, Optional.empty());
  }

  /**
   * Digests of {@code image}'s finished builds that are neither current nor used by a jail (jails record
   * {@code imageDir/ID}), sorted.
   */
  List<String> stale(String image, String imageDir) {
    String now = current.get(image);
    List<String> stale = new ArrayList<>();
    builds.getOrDefault(image, Map.of()).forEach((id, marker) -> {
      if (marker.isPresent() && !id.equals(now) && !users.containsKey(imageDir + "/" + id)) {
        stale.add(marker.get().digest());
      }
    });
    stale.sort(null);
    return stale;
  }
}

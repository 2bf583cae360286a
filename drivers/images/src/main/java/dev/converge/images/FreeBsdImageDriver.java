package dev.converge.images;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Target;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code image} on FreeBSD: release sets (checked against the release's MANIFEST on the management machine) or
 * tarballs, extracted with bsdtar {@code --unlink}. Builds are ZFS datasets {@code POOL/converge/images/NAME/ID}
 * when {@code POOL/converge/images} exists (POOL: the first pool {@code zpool list} names), each snapshotted
 * {@code @image} once extracted so that jails clone it, else directories under {@link ImageStore#FREEBSD_IMAGES}.
 * Either way a build's directory (the dataset's mountpoint) holds {@code root/} and the marker, and
 * {@code NAME/current} is a symlink; jails record their build in {@link ImageStore#FREEBSD_JAILS}{@code /*}
 * {@code /jail.json}.
 *
 * <p>Removing a directory build first clears the system-immutable flags release sets carry ({@code chflags -R
 * noschg}); a dataset build is destroyed with its snapshot ({@code zfs destroy -r}), which ZFS refuses while a jail's
 * clone depends on it. Sizes are {@code du -sk} times 1024 (FreeBSD's du has no byte count).
 */
public final class FreeBsdImageDriver extends ImageDriver {

  /** $1 the jail directory, $2 the image directory without ZFS, then image names. */
  static final String PROBE = """
      jails=$1 base=$2
      shift 2
      pool=$(zpool list -H -o name 2>/dev/null | head -n 1)
      if [ -n "$pool" ] && mp=$(zfs list -H -o mountpoint "$pool/converge/images" 2>/dev/null); then
        base=$mp
        printf 'zfs %s %s\\n' "$pool" "$base"
      else
        echo dirs
      fi
      """ + PROBE_IMAGES;

  /**
   * $1 the image's dataset (empty without ZFS), $2 the image's directory, $3 the build's ID, $4 a random suffix:
   * makes an empty build (a dataset, or a directory) beside the others, prints its directory.
   */
  static final String PREPARE = """
      set -e
      ds=$1 d=$2 id=$3 suffix=$4
      if [ -n "$ds" ]; then
        zfs create -p "$ds"
        zfs create "$ds/$id.tmp.$suffix"
        t=$(zfs list -H -o mountpoint "$ds/$id.tmp.$suffix")
      else
        mkdir -p "$d"
        t=$(mktemp -d "$d/$id.tmp.XXXXXX")
      fi
      mkdir "$t/root"
      echo "$t"
      """;

  /**
   * $1 the image's dataset (empty without ZFS), $2 the image's directory, $3 the jail directory, $4 keep|delete,
   * $5 a finished build directory to rename to $6 (or empty; a dataset is snapshotted {@code @image} first), $6 the
   * build {@code current} is switched to (or empty); then {@link ImageDriver#PRUNE}.
   */
  static final String SETTLE = """
      set -u
      ds=$1 d=$2 jails=$3 mode=$4 built=$5 id=$6
      [ -d "$d" ] || exit 0
      remove() {
        if [ -n "$ds" ]; then
          if zfs list -H -o name "$ds/${1##*/}" >/dev/null 2>&1; then zfs destroy -r "$ds/${1##*/}"; else rmdir "$1"; fi
        else
          chflags -R noschg "$1" 2>/dev/null; rm -rf "$1"
        fi
      }
      if [ -n "$built" ]; then
        if [ -e "$d/$id" ]; then remove "$d/$id" || exit 1; fi
        if [ -n "$ds" ]; then
          zfs snapshot "$ds/${built##*/}@image" && zfs rename "$ds/${built##*/}" "$ds/$id" || exit 1
        else
          mv "$built" "$d/$id" || exit 1
        fi
      fi
      if [ -n "$id" ]; then
        rm -f "$d/.current.new" && ln -s "$id" "$d/.current.new" && mv -h "$d/.current.new" "$d/current" || exit 1
      fi
      """ + PRUNE;

  /** $1 the image's dataset (empty without ZFS), $2 a half-built build's directory: removes it. */
  static final String DISCARD = """
      if [ -n "$1" ]; then zfs destroy -r "$1/${2##*/}"; else chflags -R noschg "$2" 2>/dev/null; rm -rf "$2"; fi
      """;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<String> suffixes;

  public FreeBsdImageDriver() {
    this(DownloadCache.fromEnvironment(), FreeBsdImageDriver::randomSuffix);
  }

  /** {@code suffixes} names half-built datasets ({@code ID.tmp.SUFFIX}), which mktemp cannot. */
  FreeBsdImageDriver(DownloadCache cache, Supplier<String> suffixes) {
    super(cache);
    this.suffixes = suffixes;
  }

  private static String randomSuffix() {
    byte[] suffix = new byte[4];
    RANDOM.nextBytes(suffix);
    return HexFormat.of().formatHex(suffix);
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  @Override
  Command probeCommand(List<String> names) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE, "sh", ImageStore.FREEBSD_JAILS,
        ImageStore.FREEBSD_IMAGES));
    argv.addAll(names);
    return Command.of(argv);
  }

  @Override
  String imageDir(HostImages state, String image) {
    return state.zfs().map(z -> z.mountpoint() + "/" + ImageStore.requireName(image))
        .orElseGet(() -> ImageStore.freebsdImage(image));
  }

  private static String dataset(HostImages state, String image) {
    return state.zfs().map(z -> ImageStore.freebsdImageDataset(z.pool(), image)).orElse("");
  }

  @Override
  Staging prepare(Target target, String where, HostImages state, String image, String id) throws ActionException {
    String dir = run(target, where, "making a build " + (state.zfs().isPresent() ? "dataset" : "directory"),
        Command.of("sh", "-c", PREPARE, "sh", dataset(state, image), imageDir(state, image), id,
            suffixes.get())).out().strip();
    return new Staging(dir, dir + "/root");
  }

  @Override
  List<String> extractCommand(String root, Optional<String> compression) {
    List<String> argv = new ArrayList<>(List.of("tar", "-x", "--numeric-owner", "-f", "-", "-C", root, "--unlink"));
    compression.ifPresent(c -> argv.add(1, c));
    return argv;
  }

  @Override
  void buildOnHost(Target target, String where, ImageSource source, String root) throws ActionException {
    throw new ActionException("cannot build " + where + ": " + unsupported(source).orElse("nothing to fetch"));
  }

  @Override
  long measure(Target target, String where, ImageSource source, String root) throws ActionException {
    String out = run(target, where, "measuring the build", Command.of("du", "-s", "-k", root)).out().strip();
    return Long.parseLong(out.split("\\s+")[0]) * 1024;
  }

  @Override
  Command settleCommand(HostImages state, String image, String mode, Staging built, String id) {
    return Command.of("sh", "-c", SETTLE, "sh", dataset(state, image), imageDir(state, image),
        ImageStore.FREEBSD_JAILS, mode, built == null ? "" : built.dir(), id == null ? "" : id);
  }

  @Override
  Command discardCommand(HostImages state, Staging staging) {
    String dir = staging.dir();
    String image = dir.substring(0, dir.lastIndexOf('/'));
    return Command.of("sh", "-c", DISCARD, "sh", dataset(state, image.substring(image.lastIndexOf('/') + 1)), dir);
  }

  @Override
  Optional<String> unsupported(ImageSource source) {
    return source instanceof ImageSource.Debootstrap
        ? Optional.of("debootstrap makes Debian images for Linux hosts only") : Optional.empty();
  }
}

package dev.converge.images;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.linux.PackageDriver;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code image} on Linux: builds under {@link ImageStore#LINUX_IMAGES}, jails' records under
 * {@link ImageStore#LINUX_JAILS}. Sources: tarballs (see {@link ImageDriver}) and debootstrap, run on the host
 * (installed through the {@code package} driver when missing) with a 10-minute timeout.
 *
 * <p>A debootstrap build drops the downloaded packages ({@code var/cache/apt/archives/*.deb}) and the package lists
 * ({@code var/lib/apt/lists/*}): jails that install packages run their own {@code apt-get update}, and every byte of an
 * image is kept on each host that uses it. A {@code file:} mirror (a mirror on the host's own disk, as trusted as the
 * host, and rarely signed) is used with {@code --no-check-gpg}; network mirrors are always checked.
 */
public final class LinuxImageDriver extends ImageDriver {

  /** $1 the image directory, $2 the jail directory, then image names. */
  static final String PROBE = "base=$1 jails=$2\nshift 2\n" + PROBE_IMAGES;

  /** $1 the image's directory, $2 the build's ID: makes an empty build directory beside the others, prints it. */
  static final String PREPARE = """
      set -e
      mkdir -p "$1"
      t=$(mktemp -d "$1/$2.tmp.XXXXXX")
      mkdir "$t/root"
      echo "$t"
      """;

  /**
   * $1 the image's directory, $2 the jail directory, $3 keep|delete, $4 a finished build directory to rename to
   * $5 (or empty), $5 the build {@code current} is switched to (or empty); then {@link ImageDriver#PRUNE}.
   */
  static final String SETTLE = """
      set -u
      d=$1 jails=$2 mode=$3 built=$4 id=$5
      [ -d "$d" ] || exit 0
      remove() { rm -rf --one-file-system "$1"; }
      if [ -n "$built" ]; then remove "$d/$id" && mv -T "$built" "$d/$id" || exit 1; fi
      if [ -n "$id" ]; then ln -sfn "$id" "$d/.current.new" && mv -T "$d/.current.new" "$d/current" || exit 1; fi
      """ + PRUNE;

  /** $1 a build's root, $2 {@code strip} after debootstrap. Prints the root's size in bytes. */
  static final String MEASURE = """
      set -e
      if [ "$2" = strip ]; then rm -f "$1"/var/cache/apt/archives/*.deb; rm -rf "$1"/var/lib/apt/lists/*; fi
      du -sb "$1" | cut -f1
      """;

  private final PackageDriver packages = new PackageDriver();

  public LinuxImageDriver() {
    this(DownloadCache.fromEnvironment());
  }

  LinuxImageDriver(DownloadCache cache) {
    super(cache);
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux");
  }

  @Override
  Command probeCommand(List<String> names) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE, "sh", ImageStore.LINUX_IMAGES,
        ImageStore.LINUX_JAILS));
    argv.addAll(names);
    return Command.of(argv);
  }

  @Override
  String imageDir(HostImages state, String image) {
    return ImageStore.linuxImage(image);
  }

  @Override
  Staging prepare(Target target, String where, HostImages state, String image, String id) throws ActionException {
    String dir = run(target, where, "making a build directory",
        Command.of("sh", "-c", PREPARE, "sh", ImageStore.linuxImage(image), id)).out().strip();
    return new Staging(dir, dir + "/root");
  }

  @Override
  List<String> extractCommand(String root, Optional<String> compression) {
    List<String> argv = new ArrayList<>(List.of("tar", "-x", "--numeric-owner", "-f", "-", "-C", root));
    compression.ifPresent(c -> argv.add(1, c));
    return argv;
  }

  @Override
  void buildOnHost(Target target, String where, ImageSource source, String root) throws ActionException {
    ImageSource.Debootstrap d = (ImageSource.Debootstrap) source;
    ensureDebootstrap(target, where);
    List<String> argv = new ArrayList<>(List.of("debootstrap", "--variant=" + d.variant()));
    if (!d.packages().isEmpty()) {
      argv.add("--include=" + String.join(",", d.packages()));
    }
    if (d.mirror().startsWith("file:")) {
      argv.add("--no-check-gpg");
    }
    argv.addAll(List.of(d.suite(), root, d.mirror()));
    run(target, where, "debootstrap", new Command(argv, null, BUILD_TIMEOUT));
  }

  @Override
  long measure(Target target, String where, ImageSource source, String root) throws ActionException {
    String strip = source instanceof ImageSource.Debootstrap ? "strip" : "";
    return Long.parseLong(run(target, where, "measuring the build",
        Command.of("sh", "-c", MEASURE, "sh", root, strip)).out().strip());
  }

  @Override
  Command settleCommand(HostImages state, String image, String mode, Staging built, String id) {
    return Command.of("sh", "-c", SETTLE, "sh", ImageStore.linuxImage(image), ImageStore.LINUX_JAILS, mode,
        built == null ? "" : built.dir(), id == null ? "" : id);
  }

  @Override
  Command discardCommand(HostImages state, Staging staging) {
    return Command.of("rm", "-rf", "--one-file-system", staging.dir());
  }

  @Override
  Optional<String> unsupported(ImageSource source) {
    return source instanceof ImageSource.FreebsdRelease
        ? Optional.of("FreeBSD release sets make images for FreeBSD hosts only") : Optional.empty();
  }

  private void ensureDebootstrap(Target target, String where) throws ActionException {
    ResourceId id = ResourceId.of(PackageDriver.KIND, target.name(), "debootstrap");
    Resource wanted = Resource.present(id, Properties.builder().put(PackageDriver.INSTALLED, true).build(),
        Location.unknown());
    Observation seen;
    try {
      seen = packages.probe(target, List.of(wanted)).get(0);
    } catch (ProbeException e) {
      throw new ActionException("cannot build " + where + ": cannot tell whether debootstrap is installed: "
          + e.getMessage(), e);
    }
    if (!seen.isPresent()) {
      packages.apply(target, new Change(ChangeType.CREATE, wanted, seen, List.of(), Optional.empty(),
          Optional.empty()));
    }
  }
}

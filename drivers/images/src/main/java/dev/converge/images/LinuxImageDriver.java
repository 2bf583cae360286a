package dev.converge.images;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.linux.PackageDriver;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code image/HOST:NAME} on Linux: a root filesystem under {@link ImageStore#LINUX_IMAGES}, built from a tarball
 * (fetched and verified on the management machine, streamed into {@code tar -x} on the host) or by debootstrap on the
 * host. Properties: {@code source}, {@code digest} ({@code sha256:HEX}, the image's identity, computed by compile) and
 * {@code stale} (observed: digests of builds neither current nor used by a jail; desired: empty).
 *
 * <p><b>Probe.</b> One exec per batch lists, for every image, its {@code current} link and each build's marker, and
 * the image directories the host's jails record in {@code /var/lib/jails/*}{@code /jail.json}. The observed digest and
 * source are those of the current build's marker; an image whose current build has no marker is absent.
 *
 * <p><b>Apply.</b> A new digest is built beside the old builds in {@code NAME/ID.tmp.XXXXXX/root}; the marker is
 * written last, the directory renamed to {@code NAME/ID}, and {@code current} switched atomically (a new symlink
 * renamed over it). A build with that digest that is already there is switched to without rebuilding. Every build
 * other than the current one that no jail's {@code jail.json} names is then removed; jail use is read again at that
 * moment, in the same command that removes. Delete removes the builds no jail uses and fails naming the jails that
 * still use the others.
 *
 * <p>debootstrap builds drop the downloaded packages ({@code var/cache/apt/archives/*.deb}) and the package lists
 * ({@code var/lib/apt/lists/*}) from the image: jails install packages with their own {@code apt-get update}, and
 * every byte of an image is shared by its jails but kept on each host.
 */
public final class LinuxImageDriver implements Driver {

  public static final String KIND = "image";
  public static final String SOURCE = "source";
  public static final String DIGEST = "digest";
  public static final String STALE = "stale";

  private static final Logger log = LoggerFactory.getLogger(LinuxImageDriver.class);

  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

  /** $1 image directory, $2 jail directory, then image names. See {@link HostImages} for what it prints. */
  static final String PROBE = """
      images=$1 jails=$2
      shift 2
      for f in "$jails"/*/jail.json; do
        [ -f "$f" ] || continue
        j=${f%/jail.json}; j=${j##*/}
        sed -n 's/.*"image-dir"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p' "$f" | while IFS= read -r d; do
          printf 'used %s %s\\n' "$j" "$d"
        done
      done
      for n do
        d=$images/$n
        [ -d "$d" ] || continue
        if c=$(readlink "$d/current" 2>/dev/null); then printf 'current %s %s\\n' "$n" "$c"; fi
        for b in "$d"/*; do
          { [ -d "$b" ] && [ ! -L "$b" ]; } || continue
          id=${b##*/}
          if [ -f "$b/image.json" ]; then printf 'build %s %s ' "$n" "$id"; tr -d '\\n' < "$b/image.json"; echo
          else printf 'partial %s %s\\n' "$n" "$id"; fi
        done
      done
      """;

  /** $1 the image's directory, $2 the build's ID: makes an empty build directory beside the others, prints it. */
  static final String PREPARE = """
      set -e
      mkdir -p "$1"
      t=$(mktemp -d "$1/$2.tmp.XXXXXX")
      mkdir "$t/root"
      echo "$t"
      """;

  /**
   * $1 the image's directory, $2 the jail directory, $3 {@code keep} (the current build stays) or {@code delete}
   * (every build may go), $4 a finished build directory to rename to $5 (or empty), $5 the build {@code current} is
   * switched to (or empty). Then removes every build other than the current one that no jail.json names, printing
   * {@code pruned ID} or {@code kept ID JAIL} for each. A {@code current} link left dangling goes; so does the
   * image's directory once empty after a delete.
   */
  static final String SETTLE = """
      set -u
      d=$1 jails=$2 mode=$3 built=$4 id=$5
      [ -d "$d" ] || exit 0
      if [ -n "$built" ]; then rm -rf "${d:?}/$id" && mv -T "$built" "$d/$id" || exit 1; fi
      if [ -n "$id" ]; then ln -sfn "$id" "$d/.current.new" && mv -T "$d/.current.new" "$d/current" || exit 1; fi
      cur=
      if [ "$mode" = keep ]; then cur=$(readlink "$d/current" 2>/dev/null) || cur=; fi
      for b in "$d"/*; do
        { [ -d "$b" ] && [ ! -L "$b" ]; } || continue
        b_id=${b##*/}
        [ "$b_id" = "$cur" ] && continue
        users=$(grep -l -F "\\"$b\\"" "$jails"/*/jail.json 2>/dev/null) || users=
        if [ -n "$users" ]; then
          for u in $users; do u=${u%/jail.json}; printf 'kept %s %s\\n' "$b_id" "${u##*/}"; done
        else
          rm -rf "$b" || exit 1
          printf 'pruned %s\\n' "$b_id"
        fi
      done
      if [ -L "$d/current" ] && [ ! -e "$d/current" ]; then rm -f "$d/current"; fi
      if [ "$mode" = delete ]; then rmdir "$d" 2>/dev/null || true; fi
      exit 0
      """;

  /**
   * $1 a build's root, $2 {@code strip} after debootstrap: removes the downloaded packages and package lists, which no
   * jail needs. Prints the root's size in bytes.
   */
  static final String MEASURE = """
      set -e
      if [ "$2" = strip ]; then rm -f "$1"/var/cache/apt/archives/*.deb; rm -rf "$1"/var/lib/apt/lists/*; fi
      du -sb "$1" | cut -f1
      """;

  private final DownloadCache cache;
  private final PackageDriver packages = new PackageDriver();
  private final Map<String, Object> hostLocks = new ConcurrentHashMap<>();

  public LinuxImageDriver() {
    this(DownloadCache.fromEnvironment());
  }

  LinuxImageDriver(DownloadCache cache) {
    this.cache = cache;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux");
  }

  // ---------------------------------------------------------------------------------------------------- probe

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (Resource r : batch) {
      names.add(name(r.id(), target, ProbeException::new));
    }
    HostImages state;
    try {
      state = HostImages.parse(readState(target, names).out());
    } catch (TransportException | IllegalStateException e) {
      throw new ProbeException("cannot probe images on " + target.name() + ": " + e.getMessage(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      observations.add(observe(r.id(), state));
    }
    return observations;
  }

  private static Observation observe(ResourceId id, HostImages state) {
    Optional<Marker> current = state.currentMarker(id.name());
    if (current.isEmpty()) {
      return Observation.absent(id);
    }
    return Observation.present(id, Properties.builder()
        .put(DIGEST, current.get().digest())
        .put(SOURCE, current.get().source())
        .put(STALE, state.stale(id.name(), LinuxImageDriver::buildDir))
        .build());
  }

  private static ExecResult readState(Target target, List<String> names) throws TransportException {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE, "sh", ImageStore.LINUX_IMAGES,
        ImageStore.LINUX_JAILS));
    argv.addAll(names);
    return target.transport().exec(Command.of(argv)).orThrow("reading " + ImageStore.LINUX_IMAGES);
  }

  // ---------------------------------------------------------------------------------------------------- apply

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = name(change.id(), target, ActionException::new);
    String where = "image `" + name + "` on " + target.name();
    synchronized (hostLocks.computeIfAbsent(target.name(), h -> new Object())) {
      if (!change.desired().isPresent()) {
        delete(target, name, where);
        return;
      }
      Properties desired = change.desired().properties();
      String digest = desired.string(DIGEST)
          .orElseThrow(() -> new ActionException(where + ": the desired image has no `digest`"));
      String id;
      ImageSource source;
      try {
        id = ImageStore.id(digest);
        source = ImageSource.of(desired.get(SOURCE).orElse(null), "image/" + target.name() + ":" + name);
      } catch (IllegalArgumentException e) {
        throw new ActionException(e.getMessage(), e);
      }
      boolean isCurrent = change.observed().actual().flatMap(p -> p.string(DIGEST)).filter(digest::equals)
          .isPresent();
      if (isCurrent) {
        settle(target, where, name, "keep", "", "");
        return;
      }
      HostImages state;
      try {
        state = HostImages.parse(readState(target, List.of(name)).out());
      } catch (TransportException | IllegalStateException e) {
        throw new ActionException("cannot build " + where + ": " + e.getMessage(), e);
      }
      if (state.marker(name, id).filter(m -> m.digest().equals(digest)).isPresent()) {
        log.info("{}: build {} is there already; making it current", where, id);
        settle(target, where, name, "keep", "", id);
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> sourceMap = (Map<String, Object>) desired.get(SOURCE).orElseThrow();
      String built = build(target, where, name, id, digest, source, sourceMap);
      settle(target, where, name, "keep", built, id);
    }
  }

  private void delete(Target target, String name, String where) throws ActionException {
    List<String> kept = settle(target, where, name, "delete", "", "");
    if (!kept.isEmpty()) {
      throw new ActionException("cannot delete " + where + ": " + String.join("; ", kept)
          + " (the builds no jail uses were removed)");
    }
  }

  /** Runs {@link #SETTLE}; returns what stayed because jails use it ({@code build ID is used by jail J}). */
  private static List<String> settle(Target target, String where, String name, String mode, String built, String id)
      throws ActionException {
    ExecResult r = run(target, where, "switching and pruning builds", Command.of("sh", "-c", SETTLE, "sh",
        ImageStore.linuxImage(name), ImageStore.LINUX_JAILS, mode, built, id));
    List<String> kept = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      String[] f = line.split(" ", 3);
      if (f[0].equals("kept") && f.length == 3) {
        kept.add("build " + f[1] + " is used by jail " + f[2]);
      } else if (f[0].equals("pruned") && f.length == 2) {
        log.info("{}: removed build {}, which no jail uses", where, f[1]);
      }
    }
    if (!kept.isEmpty()) {
      log.info("{}: kept {}", where, String.join("; ", kept));
    }
    return kept;
  }

  /** Builds {@code source} into a new directory beside the image's builds, marker last; returns that directory. */
  private String build(Target target, String where, String name, String id, String digest, ImageSource source,
      Map<String, Object> sourceMap) throws ActionException {
    Instant start = Instant.now();
    // A tarball is fetched and verified before anything happens on the host.
    Optional<Path> tarball = source instanceof ImageSource.Tarball t ? Optional.of(tarball(t, where))
        : Optional.empty();
    if (source instanceof ImageSource.Debootstrap) {
      ensureDebootstrap(target, where);
    } else if (source instanceof ImageSource.FreebsdRelease) {
      throw new ActionException("cannot build " + where + ": FreeBSD release sets make images for FreeBSD hosts"
          + " only");
    }
    String dir = run(target, where, "making a build directory", Command.of("sh", "-c", PREPARE, "sh",
        ImageStore.linuxImage(name), id)).out().strip();
    String root = dir + "/root";
    try {
      if (tarball.isPresent()) {
        extract(target, where, tarball.get(), root);
      } else {
        debootstrap(target, where, (ImageSource.Debootstrap) source, root);
      }
      long bytes = Long.parseLong(run(target, where, "measuring the build",
          Command.of("sh", "-c", MEASURE, "sh", root, tarball.isPresent() ? "" : "strip")).out().strip());
      Marker marker = new Marker(digest, sourceMap, bytes, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      run(target, where, "writing the marker", Command.of("sh", "-c", "cat > \"$1\"", "sh",
          dir + "/" + ImageStore.MARKER).withStdin(marker.toJson()));
      log.info("{}: built {} in {} ms, {} bytes", where, id, Duration.between(start, Instant.now()).toMillis(),
          bytes);
      return dir;
    } catch (ActionException | RuntimeException e) {
      removeQuietly(target, dir);
      throw e;
    }
  }

  private Path tarball(ImageSource.Tarball t, String where) throws ActionException {
    try {
      return t.url() != null ? cache.fetch(t.url(), t.sha256()) : cache.copy(Path.of(t.path()), t.sha256());
    } catch (DownloadCache.Mismatch e) {
      throw new ActionException(where + ": expected sha256 " + t.sha256() + ", the tarball has " + e.actual()
          + "; nothing was extracted", e);
    } catch (IOException e) {
      throw new ActionException("cannot build " + where + ": fetching the tarball "
          + (t.url() != null ? t.url() : t.path()) + " failed: " + e.getMessage(), e);
    }
  }

  private static void extract(Target target, String where, Path tarball, String root) throws ActionException {
    List<String> argv = new ArrayList<>(List.of("tar", "-x", "--numeric-owner", "-f", "-", "-C", root));
    try {
      Compression.of(tarball).flag().ifPresent(f -> argv.add(1, f));
    } catch (IOException e) {
      throw new ActionException("cannot build " + where + ": reading " + tarball + " failed: " + e.getMessage(), e);
    }
    ExecResult r;
    try (InputStream in = Files.newInputStream(tarball)) {
      r = target.transport().stream(new Command(argv, null, BUILD_TIMEOUT), in, OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new ActionException("cannot build " + where + ": streaming the tarball failed: " + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new ActionException("cannot build " + where + ": tar failed (exit " + r.exitCode() + ")" + r.details());
    }
  }

  private static void debootstrap(Target target, String where, ImageSource.Debootstrap d, String root)
      throws ActionException {
    List<String> argv = new ArrayList<>(List.of("debootstrap", "--variant=" + d.variant()));
    if (!d.packages().isEmpty()) {
      argv.add("--include=" + String.join(",", d.packages()));
    }
    if (d.mirror().startsWith("file:")) {
      // A mirror on the host's own disk is as trusted as the host; such mirrors are rarely signed.
      argv.add("--no-check-gpg");
    }
    argv.addAll(List.of(d.suite(), root, d.mirror()));
    run(target, where, "debootstrap", new Command(argv, null, BUILD_TIMEOUT));
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

  private static void removeQuietly(Target target, String dir) {
    try {
      target.transport().exec(Command.of("rm", "-rf", "--one-file-system", dir));
    } catch (TransportException e) {
      log.warn("could not remove the half-built {} on {}: {}", dir, target.name(), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  /** The directory jails record for build {@code id} of {@code image}. */
  static String buildDir(String image, String id) {
    return ImageStore.linuxImage(image) + "/" + id;
  }

  private interface Failure<E extends Exception> {
    E of(String message, Throwable cause);
  }

  private static <E extends Exception> String name(ResourceId id, Target target, Failure<E> failure) throws E {
    try {
      return ImageStore.requireName(id.name());
    } catch (IllegalArgumentException e) {
      throw failure.of(id + " (on " + target.name() + "): " + e.getMessage(), e);
    }
  }

  private static ExecResult run(Target target, String where, String what, Command command) throws ActionException {
    ExecResult r;
    try {
      r = target.transport().exec(command);
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + what + " failed: " + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new ActionException("cannot change " + where + ": " + what + " failed (exit " + r.exitCode() + ")"
          + r.details());
    }
    return r;
  }
}

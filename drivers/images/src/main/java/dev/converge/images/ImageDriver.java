package dev.converge.images;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code image/HOST:NAME}: a root filesystem built once per host and shared by the host's jails. Properties:
 * {@code source}, {@code digest} ({@code sha256:HEX}, the image's identity, computed by compile) and {@code stale}
 * (observed: digests of builds neither current nor used by a jail; desired: always empty).
 *
 * <p><b>Probe.</b> One exec per batch lists, for every image, its {@code current} link and each build's marker, and
 * the image directories the host's jails record in their {@code jail.json}. The observed digest and source are those
 * of the current build's marker; an image whose current build has no marker is absent.
 *
 * <p><b>Apply.</b> A new digest is built beside the old builds in {@code NAME/ID.tmp.…}; data fetched by converge
 * (tarballs, release sets) is verified against its sha256 on the management machine before the host sees a byte, then
 * streamed into {@code tar -x}. The marker is written last, the build renamed to {@code NAME/ID} and {@code current}
 * switched atomically (a new symlink renamed over it). A build of that digest already on the host is switched to
 * without rebuilding. Every build other than the current one that no jail's {@code jail.json} names is then removed;
 * jail use is read again at that moment, in the same command that removes. Delete removes the builds no jail uses and
 * fails naming the jails that use the others.
 */
public abstract class ImageDriver implements Driver {

  public static final String KIND = "image";
  public static final String SOURCE = "source";
  public static final String DIGEST = "digest";
  public static final String STALE = "stale";

  static final Logger log = LoggerFactory.getLogger(ImageDriver.class);

  /** How long one build step (an extraction, debootstrap) may take. */
  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

  /**
   * The part of every probe after {@code base} (the directory holding the images) and {@code jails} are set; the
   * image names are the positional arguments. See {@link HostImages} for what it prints.
   */
  static final String PROBE_IMAGES = """
      for f in "$jails"/*/jail.json; do
        [ -f "$f" ] || continue
        j=${f%/jail.json}; j=${j##*/}
        sed -n 's/.*"image-dir"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p' "$f" |
          while IFS= read -r d || [ -n "$d" ]; do printf 'used %s %s\\n' "$j" "$d"; done
      done
      for n do
        d=$base/$n
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

  /**
   * The part of every settle script after {@code d} (the image's directory), {@code jails}, {@code mode}
   * ({@code keep}: the current build stays; {@code delete}: any may go) and a function {@code remove BUILD_DIR} are
   * set, and {@code current} switched: removes every build other than the current one that no jail.json names,
   * printing {@code pruned ID} or {@code kept ID JAIL}; drops a dangling {@code current}, and after a delete the
   * image's directory once empty.
   */
  static final String PRUNE = """
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
          remove "$b" || exit 1
          printf 'pruned %s\\n' "$b_id"
        fi
      done
      if [ -L "$d/current" ] && [ ! -e "$d/current" ]; then rm -f "$d/current"; fi
      if [ "$mode" = delete ]; then rmdir "$d" 2>/dev/null || true; fi
      exit 0
      """;

  /** Where a build is being made: {@code dir} gets the marker, {@code root} the root filesystem. */
  record Staging(String dir, String root) {}

  private final DownloadCache cache;
  private final Map<String, Object> hostLocks = new ConcurrentHashMap<>();

  ImageDriver(DownloadCache cache) {
    this.cache = cache;
  }

  @Override
  public final String kind() {
    return KIND;
  }

  // ------------------------------------------------------------------------------------------- platform hooks

  /** The probe: prints {@link HostImages}' lines for {@code names}. */
  abstract Command probeCommand(List<String> names);

  /** The directory of all builds of {@code image}: jails record {@code imageDir(image)/ID}. */
  abstract String imageDir(HostImages state, String image);

  /** Makes an empty build directory beside the image's builds. */
  abstract Staging prepare(Target target, String where, HostImages state, String image, String id)
      throws ActionException;

  /** tar extracting its standard input into {@code root}; {@code compression} is {@code -z}, {@code -J}, … */
  abstract List<String> extractCommand(String root, Optional<String> compression);

  /** Builds a source that runs on the host (debootstrap); sources converge fetches never get here. */
  abstract void buildOnHost(Target target, String where, ImageSource source, String root) throws ActionException;

  /** The root's size in bytes, after removing what the source leaves that no jail needs. */
  abstract long measure(Target target, String where, ImageSource source, String root) throws ActionException;

  /**
   * Renames {@code built} (unless null) to build {@code id}, switches {@code current} to {@code id} (unless null)
   * and prunes (see {@link #PRUNE}); {@code mode} is {@code keep} or {@code delete}.
   */
  abstract Command settleCommand(HostImages state, String image, String mode, Staging built, String id);

  /** Removes a build that failed half-way. */
  abstract Command discardCommand(HostImages state, Staging staging);

  /** Release sets or host-side builds this platform cannot make: the message why, else empty. */
  abstract Optional<String> unsupported(ImageSource source);

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
      state = readState(target, names);
    } catch (TransportException | IllegalStateException e) {
      throw new ProbeException("cannot probe images on " + target.name() + ": " + e.getMessage(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      observations.add(observe(r.id(), state));
    }
    return observations;
  }

  private Observation observe(ResourceId id, HostImages state) {
    Optional<Marker> current = state.currentMarker(id.name());
    if (current.isEmpty()) {
      return Observation.absent(id);
    }
    return Observation.present(id, Properties.builder()
        .put(DIGEST, current.get().digest())
        .put(SOURCE, current.get().source())
        .put(STALE, state.stale(id.name(), imageDir(state, id.name())))
        .build());
  }

  private HostImages readState(Target target, List<String> names) throws TransportException {
    return HostImages.parse(target.transport().exec(probeCommand(names)).orThrow("reading the images").out());
  }

  // ---------------------------------------------------------------------------------------------------- apply

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = name(change.id(), target, ActionException::new);
    String where = "image `" + name + "` on " + target.name();
    synchronized (hostLocks.computeIfAbsent(target.name(), h -> new Object())) {
      HostImages state;
      try {
        state = readState(target, List.of(name));
      } catch (TransportException | IllegalStateException e) {
        throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
      }
      if (!change.desired().isPresent()) {
        List<String> kept = settle(target, where, state, name, "delete", null, null);
        if (!kept.isEmpty()) {
          throw new ActionException("cannot delete " + where + ": " + String.join("; ", kept)
              + " (the builds no jail uses were removed)");
        }
        return;
      }
      Properties desired = change.desired().properties();
      String digest = desired.string(DIGEST)
          .orElseThrow(() -> new ActionException(where + ": the desired image has no `digest`"));
      Object sourceValue = desired.get(SOURCE).orElse(null);
      String id;
      ImageSource source;
      try {
        id = ImageStore.id(digest);
        source = ImageSource.of(sourceValue, "image/" + target.name() + ":" + name);
      } catch (IllegalArgumentException e) {
        throw new ActionException(e.getMessage(), e);
      }
      Optional<String> why = unsupported(source);
      if (why.isPresent()) {
        throw new ActionException("cannot build " + where + ": " + why.get());
      }
      if (state.currentMarker(name).filter(m -> m.digest().equals(digest)).isPresent()) {
        settle(target, where, state, name, "keep", null, null);
        return;
      }
      if (state.marker(name, id).filter(m -> m.digest().equals(digest)).isPresent()) {
        log.info("{}: build {} is there already; making it current", where, id);
        settle(target, where, state, name, "keep", null, id);
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> sourceMap = (Map<String, Object>) sourceValue;
      Staging built = build(target, where, state, name, id, new Marker(digest, sourceMap, 0, ""), source);
      settle(target, where, state, name, "keep", built, id);
    }
  }

  /** Runs the settle command; returns what stayed because jails use it ({@code build ID is used by jail J}). */
  private List<String> settle(Target target, String where, HostImages state, String name, String mode,
      Staging built, String id) throws ActionException {
    ExecResult r = run(target, where, "switching and pruning builds",
        settleCommand(state, name, mode, built, id));
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

  /** Builds {@code source} beside the image's builds, marker last. */
  private Staging build(Target target, String where, HostImages state, String name, String id, Marker marker,
      ImageSource source) throws ActionException {
    Instant start = Instant.now();
    List<Path> archives = fetch(source, where);
    Staging staging = prepare(target, where, state, name, id);
    try {
      if (archives.isEmpty()) {
        buildOnHost(target, where, source, staging.root());
      }
      for (Path archive : archives) {
        extract(target, where, archive, staging.root());
      }
      long bytes = measure(target, where, source, staging.root());
      Marker done = new Marker(marker.digest(), marker.source(), bytes,
          Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      run(target, where, "writing the marker", Command.of("sh", "-c", "cat > \"$1\"", "sh",
          staging.dir() + "/" + ImageStore.MARKER).withStdin(done.toJson()));
      log.info("{}: built {} in {} ms, {} bytes", where, id, Duration.between(start, Instant.now()).toMillis(),
          bytes);
      return staging;
    } catch (ActionException | RuntimeException e) {
      try {
        target.transport().exec(discardCommand(state, staging));
      } catch (TransportException discard) {
        e.addSuppressed(discard);
      }
      throw e;
    }
  }

  /**
   * The archives converge fetches for {@code source}, verified and cached on the management machine; empty for
   * sources built on the host.
   */
  private List<Path> fetch(ImageSource source, String where) throws ActionException {
    if (source instanceof ImageSource.Tarball t) {
      try {
        return List.of(t.url() != null ? cache.fetch(t.url(), t.sha256()) : cache.copy(Path.of(t.path()), t.sha256()));
      } catch (DownloadCache.Mismatch e) {
        throw new ActionException(where + ": expected sha256 " + t.sha256() + ", the tarball has " + e.actual()
            + "; nothing was extracted", e);
      } catch (IOException e) {
        throw new ActionException("cannot build " + where + ": fetching the tarball "
            + (t.url() != null ? t.url() : t.path()) + " failed: " + e.getMessage(), e);
      }
    }
    if (source instanceof ImageSource.FreebsdRelease r) {
      return ReleaseSets.fetch(cache, r, where);
    }
    return List.of();
  }

  private void extract(Target target, String where, Path archive, String root) throws ActionException {
    List<String> argv;
    try {
      argv = extractCommand(root, Compression.of(archive).flag());
    } catch (IOException e) {
      throw new ActionException("cannot build " + where + ": reading " + archive + " failed: " + e.getMessage(), e);
    }
    ExecResult r;
    try (InputStream in = Files.newInputStream(archive)) {
      r = target.transport().stream(new Command(argv, null, BUILD_TIMEOUT), in, OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new ActionException("cannot build " + where + ": streaming " + archive.getFileName() + " failed: "
          + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new ActionException("cannot build " + where + ": tar failed (exit " + r.exitCode() + ")" + r.details());
    }
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  interface Failure<E extends Exception> {
    E of(String message, Throwable cause);
  }

  static <E extends Exception> String name(ResourceId id, Target target, Failure<E> failure) throws E {
    try {
      return ImageStore.requireName(id.name());
    } catch (IllegalArgumentException e) {
      throw failure.of(id + " (on " + target.name() + "): " + e.getMessage(), e);
    }
  }

  static ExecResult run(Target target, String where, String what, Command command) throws ActionException {
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

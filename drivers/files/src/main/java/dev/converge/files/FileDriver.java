package dev.converge.files;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.Sensitive;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file} resource: a regular file's content, mode, owner and group, on any platform that speaks POSIX
 * sh (Linux with GNU or busybox stat and sha256sum, FreeBSD with stat -f and sha256).
 *
 * <p><b>Resources.</b> Id {@code file/HOST:PATH}, with an absolute, normalised PATH. A present resource's properties
 * are all optional, and a field that is absent is not managed:
 *
 * <ul>
 *   <li>{@code type}: {@code "file"}. The observation reports what is really there ({@code directory},
 *       {@code symlink}, {@code fifo}, {@code socket}, {@code char-device}, {@code block-device}), and apply refuses
 *       to replace or delete anything that is not a regular file.
 *   <li>{@code content}: the text (UTF-8), or a {@link Sensitive} text; a file converge creates without it is empty.
 *   <li>{@code mode}: four octal digits, {@code "0644"}; a file converge creates without it gets 0644.
 *   <li>{@code owner}, {@code group}: a name, or a number (then the observation reports the number too).
 * </ul>
 *
 * <p><b>Probe.</b> One exec per batch (up to {@value #MAX_PATHS_PER_EXEC} paths or {@value #MAX_ARGUMENT_BYTES}
 * bytes of arguments each, so ARG_MAX and the SSH command line are respected) runs a constant script with the paths
 * as positional arguments and reports, per path, type, mode, owner, group, size and sha256. The observation carries
 * the same fields as the desired properties. Its {@code content} is the desired value itself when the digests match,
 * so nothing is transferred for files in sync; otherwise the actual text, fetched for the differing files only in
 * one more exec. Files over {@value #MAX_SHOWN_BYTES} bytes or not valid UTF-8 show a {@link Placeholder} instead,
 * and when the desired content is sensitive the actual content is never fetched and the placeholder is wrapped in
 * {@link Sensitive}. For a resource that should be absent, the observation of an existing path holds only its
 * {@code type}.
 *
 * <p><b>Apply.</b> When the content differs or the file is missing, the file is written atomically through
 * {@link Transport#write}; if its directory is missing, that write fails and the directory is created with
 * {@code mkdir -p -m 0755} (intermediate directories get the host's default mode, 0755 under the usual umask) before
 * writing again. The write sets the desired mode, owner and group; those not managed keep the existing file's
 * values (one more stat), or the defaults above for a new file. When only mode, owner or group differ, the file is
 * left in place and changed with chown and chmod. A delete is {@code rm -f}. Every action is idempotent. Errors name
 * the path and host; sensitive content never appears in messages or logs.
 */
public final class FileDriver implements Driver {

  public static final String KIND = "file";
  public static final String TYPE = "type";
  public static final String CONTENT = "content";
  public static final String MODE = "mode";
  public static final String OWNER = "owner";
  public static final String GROUP = "group";

  /** The only {@link #TYPE} a desired file can have. */
  public static final String REGULAR_FILE = "file";

  /** Larger files are never transferred by a probe, only described. */
  public static final long MAX_SHOWN_BYTES = 1024 * 1024;

  static final int MAX_PATHS_PER_EXEC = 1000;
  static final int MAX_ARGUMENT_BYTES = 64 * 1024;
  /** Bounds the output of one content fetch, so a batch of large text files does not arrive as one huge blob. */
  static final long MAX_FETCH_BYTES_PER_EXEC = 16L * 1024 * 1024;

  private static final int DEFAULT_MODE = 0644;
  private static final String PARENT_MODE = "0755";
  private static final int SETID_BITS = 06000;
  /** Hashing hundreds of files can take a while on a slow disk. */
  private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(FileDriver.class);

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    StatScript dialect = StatScript.forPlatform(target.platform()).orElseThrow(() -> new ProbeException(
        "cannot probe files on " + target.name() + ": platform `" + target.platform()
            + "` is not supported (expected linux or freebsd)"));
    List<String> paths = new ArrayList<>(batch.size());
    List<Optional<DesiredFile>> wanted = new ArrayList<>(batch.size());
    for (Resource r : batch) {
      try {
        paths.add(DesiredFile.path(r));
        wanted.add(r.isPresent() ? Optional.of(DesiredFile.of(r)) : Optional.empty());
      } catch (IllegalArgumentException e) {
        throw new ProbeException(e.getMessage(), e);
      }
    }
    Transport transport = transport(target);
    List<Optional<FileState>> states = stat(transport, dialect, paths, target);
    Map<Integer, byte[]> fetched = fetch(transport, paths, wanted, states, target);

    List<Observation> observations = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Resource r = batch.get(i);
      Optional<FileState> state = states.get(i);
      if (state.isEmpty()) {
        observations.add(Observation.absent(r.id()));
      } else if (wanted.get(i).isEmpty()) {
        observations.add(Observation.present(r.id(), Properties.builder().put(TYPE, state.get().type().label())
            .build()));
      } else {
        observations.add(Observation.present(r.id(),
            observe(wanted.get(i).get(), state.get(), Optional.ofNullable(fetched.get(i)))));
      }
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    Resource desired = change.desired();
    String path;
    try {
      path = DesiredFile.path(desired);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    Optional<Properties> seen = change.observed().actual();
    String where = path + " on " + target.name();
    Optional<String> seenType = seen.flatMap(p -> p.string(TYPE));
    if (seenType.isPresent() && !seenType.get().equals(REGULAR_FILE)) {
      String verb = desired.isPresent() ? "replace" : "delete";
      throw new ActionException(where + " is a " + seenType.get() + "; converge will not " + verb + " it");
    }
    Transport transport = transportFor(target, where);
    if (!desired.isPresent()) {
      run(transport, Command.of("rm", "-f", "--", path), "rm -f " + path, where);
      return;
    }
    DesiredFile want;
    try {
      want = DesiredFile.of(desired);
    } catch (IllegalArgumentException e) {
      throw new ActionException(e.getMessage(), e);
    }
    boolean contentDiffers = want.content().isPresent() && !want.content().equals(seen.flatMap(p -> p.get(CONTENT)));
    if (seen.isEmpty()) {
      create(transport, path, want, where);
    } else if (contentDiffers) {
      write(transport, path, want, current(transport, target, path, want, where), where);
    } else {
      fixAttributes(transport, path, want, seen.get(), where);
    }
  }

  /* ------ probe ------ */

  private static List<Optional<FileState>> stat(
      Transport transport, StatScript dialect, List<String> paths, Target target) throws ProbeException {
    List<Optional<FileState>> states = new ArrayList<>(paths.size());
    List<List<String>> chunks = Chunks.of(paths, MAX_PATHS_PER_EXEC, FileDriver::argumentBytes, MAX_ARGUMENT_BYTES);
    for (List<String> chunk : chunks) {
      ExecResult r = exec(transport, new Command(dialect.argv(chunk), null, PROBE_TIMEOUT), target);
      try {
        states.addAll(dialect.parse(r.out(), chunk));
      } catch (IllegalStateException e) {
        String err = r.err().strip();
        throw new ProbeException("cannot probe files on " + target.name() + ": " + e.getMessage()
            + (err.isEmpty() ? "" : " (stderr: " + err + ")"), e);
      }
    }
    log.debug("probed {} path(s) on {} in {} exec(s)", paths.size(), target.name(), chunks.size());
    return states;
  }

  /**
   * Fetches, in as few execs as the limits allow, the content of files whose text the plan should show; keyed by
   * index in the batch, and missing where the output could not be cut apart.
   */
  private static Map<Integer, byte[]> fetch(Transport transport, List<String> paths,
      List<Optional<DesiredFile>> wanted, List<Optional<FileState>> states, Target target) throws ProbeException {
    List<Integer> needed = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      Optional<DesiredFile> want = wanted.get(i);
      Optional<FileState> state = states.get(i);
      if (want.isPresent() && want.get().content().isPresent() && !want.get().isSensitive() && state.isPresent()
          && state.get().type() == FileType.FILE && state.get().size() <= MAX_SHOWN_BYTES
          && !state.get().sha256().equals(want.get().contentSha256())) {
        needed.add(i);
      }
    }
    Map<Integer, byte[]> contents = new HashMap<>();
    List<List<Integer>> chunks = new ArrayList<>();
    for (List<Integer> byArguments :
        Chunks.of(needed, MAX_PATHS_PER_EXEC, i -> argumentBytes(paths.get(i)), MAX_ARGUMENT_BYTES)) {
      chunks.addAll(Chunks.of(byArguments, MAX_PATHS_PER_EXEC, i -> states.get(i).orElseThrow().size(),
          MAX_FETCH_BYTES_PER_EXEC));
    }
    for (List<Integer> chunk : chunks) {
      List<String> chunkPaths = chunk.stream().map(paths::get).toList();
      List<Long> sizes = chunk.stream().map(i -> states.get(i).orElseThrow().size()).toList();
      ExecResult r = exec(transport, new Command(ContentFetch.argv(chunkPaths), null, PROBE_TIMEOUT), target);
      List<Optional<byte[]>> bytes = ContentFetch.split(r.stdout(), sizes);
      for (int j = 0; j < chunk.size(); j++) {
        int index = chunk.get(j);
        bytes.get(j).ifPresent(b -> contents.put(index, b));
      }
    }
    if (!chunks.isEmpty()) {
      log.debug("fetched {} differing file(s) on {} in {} exec(s)", needed.size(), target.name(), chunks.size());
    }
    return contents;
  }

  private static Properties observe(DesiredFile want, FileState state, Optional<byte[]> fetched) {
    Properties.Builder b = Properties.builder();
    want.type().ifPresent(t -> b.put(TYPE, state.type().label()));
    want.mode().ifPresent(m -> b.put(MODE, state.mode()));
    want.owner().ifPresent(o -> b.put(OWNER, isNumeric(o) ? state.uid() : state.user()));
    want.group().ifPresent(g -> b.put(GROUP, isNumeric(g) ? state.gid() : state.group()));
    if (want.content().isPresent() && state.type() == FileType.FILE) {
      b.put(CONTENT, observedContent(want, state, fetched));
    }
    return b.build();
  }

  private static Object observedContent(DesiredFile want, FileState state, Optional<byte[]> fetched) {
    String sha = state.sha256().orElseThrow();
    if (want.contentSha256().orElseThrow().equals(sha)) {
      return want.content().orElseThrow();
    }
    if (want.isSensitive()) {
      return new Sensitive(Placeholder.secret(state.size()));
    }
    if (state.size() > MAX_SHOWN_BYTES) {
      return Placeholder.tooLarge(state.size(), sha);
    }
    Optional<byte[]> bytes = fetched.filter(b -> DesiredFile.sha256(b).equals(sha));
    if (bytes.isEmpty()) {
      return Placeholder.unreadable(state.size(), sha);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.get()))
          .toString();
    } catch (CharacterCodingException e) {
      return Placeholder.binary(state.size(), sha);
    }
  }

  private static ExecResult exec(Transport transport, Command command, Target target) throws ProbeException {
    try {
      return transport.exec(command);
    } catch (TransportException e) {
      throw new ProbeException("cannot probe files on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  private static Transport transport(Target target) throws ProbeException {
    try {
      return target.transport();
    } catch (TransportException e) {
      throw new ProbeException("cannot probe files on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  /** What one path costs on a command line, quotes included. */
  private static long argumentBytes(String path) {
    return path.getBytes(StandardCharsets.UTF_8).length + 3L;
  }

  /* ------ apply ------ */

  /** The file's state now, when the write must keep attributes the spec does not manage; empty if not needed. */
  private static Optional<FileState> current(
      Transport transport, Target target, String path, DesiredFile want, String where) throws ActionException {
    if (want.mode().isPresent() && want.owner().isPresent() && want.group().isPresent()) {
      return Optional.empty();
    }
    StatScript dialect = StatScript.forPlatform(target.platform()).orElseThrow(() -> new ActionException(
        "cannot update " + where + ": platform `" + target.platform() + "` is not supported"));
    ExecResult r = run(transport, new Command(dialect.argv(List.of(path)), null, PROBE_TIMEOUT), "stat", where);
    Optional<FileState> state;
    try {
      state = dialect.parse(r.out(), List.of(path)).get(0);
    } catch (IllegalStateException e) {
      throw new ActionException("cannot update " + where + ": " + e.getMessage(), e);
    }
    if (state.isPresent() && state.get().type() != FileType.FILE) {
      throw new ActionException(where + " is a " + state.get().type().label() + "; converge will not replace it");
    }
    return state;
  }

  /** Writes a new file; its directory usually exists, so it is only created (with its parents) when writing fails. */
  private static void create(Transport transport, String path, DesiredFile want, String where)
      throws ActionException {
    try {
      write(transport, path, want, Optional.empty(), where);
    } catch (ActionException firstAttempt) {
      // Any other cause fails the second attempt too, and is reported then.
      String parent = path.substring(0, path.lastIndexOf('/'));
      if (parent.isEmpty()) {
        throw firstAttempt;
      }
      run(transport, Command.of("mkdir", "-p", "-m", PARENT_MODE, "--", parent), "mkdir -p " + parent, where);
      write(transport, path, want, Optional.empty(), where);
    }
  }

  /** Writes the whole file; attributes the spec does not manage come from {@code existing}, else the defaults. */
  private static void write(Transport transport, String path, DesiredFile want, Optional<FileState> existing,
      String where) throws ActionException {
    int mode = want.permissions().orElse(existing.map(FileState::permissions).orElse(DEFAULT_MODE));
    Optional<String> owner = want.owner().or(() -> existing.map(FileState::uid));
    Optional<String> group = want.group().or(() -> existing.map(FileState::gid));
    byte[] content = want.contentBytes().orElse(new byte[0]);
    try {
      transport.write(path, content, new FileAttributes(mode, owner, group));
    } catch (TransportException e) {
      throw new ActionException("cannot write " + where + ": " + e.getMessage(), e);
    }
    log.debug("wrote {} ({} bytes, mode {})", where, content.length, FileMode.format(mode));
  }

  private static void fixAttributes(Transport transport, String path, DesiredFile want, Properties seen,
      String where) throws ActionException {
    Optional<String> owner = want.owner().filter(o -> !seen.string(OWNER).equals(Optional.of(o)));
    Optional<String> group = want.group().filter(g -> !seen.string(GROUP).equals(Optional.of(g)));
    boolean chowned = owner.isPresent() || group.isPresent();
    if (chowned) {
      String spec = owner.orElse("") + group.map(g -> ":" + g).orElse("");
      run(transport, Command.of("chown", "--", spec, path), "chown " + spec, where);
    }
    Optional<String> mode = want.mode();
    boolean modeDiffers = mode.isPresent() && !seen.string(MODE).equals(mode);
    // chown clears setuid and setgid, even for root: put them back.
    boolean setidLost = chowned && want.permissions().map(p -> (p & SETID_BITS) != 0).orElse(false);
    if (modeDiffers || setidLost) {
      run(transport, Command.of("chmod", "--", mode.orElseThrow(), path), "chmod " + mode.get(), where);
    }
  }

  private static ExecResult run(Transport transport, Command command, String what, String where)
      throws ActionException {
    try {
      return transport.exec(command).orThrow(what);
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }

  private static Transport transportFor(Target target, String where) throws ActionException {
    try {
      return target.transport();
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }

  private static boolean isNumeric(String account) {
    return account.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}

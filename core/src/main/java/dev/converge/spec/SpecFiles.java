package dev.converge.spec;

import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the root spec file and, following {@code include:}, every file it includes, each once. Include paths are
 * relative to the including file. Cycles, repeats, missing, oversized and unreadable files are errors at the
 * include entry that names them.
 */
final class SpecFiles {

  /** One file of the spec: its normalised absolute path and its YAML tree. */
  record SourceFile(Path path, Node root) {}

  static final String INCLUDE = "include";

  private final YamlReader reader;
  private final long maxFileBytes;
  private final Problems problems;
  private final List<SourceFile> files = new ArrayList<>();
  /** Real path of every file read → the include entry that brought it in (for the root: its first line). */
  private final Map<Path, Location> includedAt = new HashMap<>();
  private final List<Path> stack = new ArrayList<>();

  SpecFiles(YamlReader reader, long maxFileBytes, Problems problems) {
    this.reader = reader;
    this.maxFileBytes = maxFileBytes;
    this.problems = problems;
  }

  /**
   * Every file of the spec rooted at {@code root}: the root first, then includes in the order they are reached.
   *
   * @throws IOException only when the root itself cannot be read
   */
  List<SourceFile> read(Path root) throws IOException {
    Path path = root.toAbsolutePath().normalize();
    Optional<byte[]> bytes = bytes(path, new Location(path, 1, 1), "");
    Path real = path.toRealPath();
    includedAt.put(real, new Location(path, 1, 1));
    bytes.ifPresent(b -> visit(path, real, b));
    return List.copyOf(files);
  }

  private void visit(Path path, Path real, byte[] bytes) {
    Optional<Node> root = reader.read(path, bytes, problems);
    if (root.isEmpty()) {
      return;
    }
    files.add(new SourceFile(path, root.get()));
    if (root.get() instanceof MapNode map) {
      stack.add(real);
      includes(new MapReader(map, Sections.TOP_LEVEL, map.location(), problems));
      stack.remove(stack.size() - 1);
    }
  }

  private void includes(MapReader r) {
    if (r.isBlank(INCLUDE)) {
      return;
    }
    Optional<ListNode> list = r.listNode(INCLUDE, "a list of YAML file paths");
    if (list.isEmpty()) {
      return;
    }
    Conversion<Path> paths = Conversion.localPath(r.directoryOf(INCLUDE));
    List<Node> items = list.get().items();
    for (int i = 0; i < items.size(); i++) {
      String element = "[" + i + "]";
      Node item = items.get(i);
      if (!(item instanceof ScalarNode s) || s.isNull()) {
        r.error(INCLUDE, element, item.location(), "found " + item.describe() + ", expected a YAML file path");
        continue;
      }
      try {
        include(r, element, paths.convert(s.text()), s);
      } catch (Conversion.Invalid e) {
        r.error(INCLUDE, element, s.location(), e.detail());
      }
    }
  }

  private void include(MapReader r, String element, Path path, ScalarNode entry) {
    Location at = entry.location();
    Path real;
    try {
      real = path.toRealPath();
    } catch (IOException e) {
      r.error(INCLUDE, element, at, "found `" + entry.text() + "`, which does not exist (" + path
          + "): expected a YAML file, relative to the including file");
      return;
    }
    int onStack = stack.indexOf(real);
    if (onStack >= 0) {
      String cycle = stack.subList(onStack, stack.size()).stream()
          .map(p -> p.getFileName().toString())
          .collect(Collectors.joining(" → ")) + " → " + real.getFileName();
      r.error(INCLUDE, element, at, "found an include cycle " + cycle + ": expected includes that never lead"
          + " back to a file that includes them");
      return;
    }
    Location first = includedAt.get(real);
    if (first != null) {
      r.error(INCLUDE, element, at, "found `" + entry.text() + "` a second time: expected each file to be"
          + " included once (already at " + first + ")");
      return;
    }
    includedAt.put(real, at);
    String prefix = "`" + INCLUDE + element + "` in " + r.context() + ": ";
    try {
      bytes(path, at, prefix).ifPresent(b -> visit(path, real, b));
    } catch (IOException e) {
      problems.error(at, prefix + "cannot read `" + entry.text() + "`: " + e.getMessage());
    }
  }

  /**
   * The bytes of {@code path}, never more than the limit. A file over the limit, or not a regular file, is an
   * error at {@code at}, starting with {@code prefix} (empty for the root); an unreadable root is an
   * {@link IOException}.
   */
  private Optional<byte[]> bytes(Path path, Location at, String prefix) throws IOException {
    boolean root = prefix.isEmpty();
    if (!root && !Files.isRegularFile(path)) {
      problems.error(at, prefix + "found " + path + ", which is not a regular file: expected a YAML file");
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(path)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileBytes + 1));
      if (bytes.length > maxFileBytes) {
        problems.error(at, prefix + "found " + path.getFileName() + " larger than "
            + maxFileBytes + " bytes: expected a spec file of at most " + maxFileBytes + " bytes");
        return Optional.empty();
      }
      return Optional.of(bytes);
    }
  }
}

package dev.converge.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The constant shell script that stats and hashes a batch of paths, given as its positional arguments (never
 * interpolated into the script), in the dialect of the target's platform, and the parser of its output.
 *
 * <p>Its cost is a fixed number of processes, whatever the batch size: shell builtins sort the paths, then one
 * {@code stat} runs over every existing path and one sha256 over every regular file, their arguments passed through
 * {@code xargs -0} (GNU, busybox and FreeBSD all have it; a loop that rebuilt {@code "$@"} cost seconds per thousand
 * paths). The output has three parts:
 *
 * <pre>
 * aeea                                   one letter per path, in order: a(bsent) or e(xists)
 * RAWMODE SIZE UID GID USER GROUP        one tab-separated line per existing path, in order
 * --
 * SHA256 ...                             one line per regular file among them, in order
 * </pre>
 *
 * RAWMODE is {@code st_mode} with its type bits: hexadecimal from GNU {@code stat -c %f}, octal from FreeBSD
 * {@code stat -f %p} (stat(1): "p ... defaults to O"). Paths cannot hold a newline (resource names exclude control
 * characters), so every tool prints exactly one line per path and a count tells whether each one answered: a path
 * that changed type or vanished between the steps, or could not be read, shows up as a missing line and fails the
 * probe with the tools' stderr. Symbolic links are reported, never followed, and only regular files are read, so a
 * FIFO cannot hang the probe.
 */
enum StatScript {
  LINUX("stat -c '%f\t%s\t%u\t%g\t%U\t%G'", "sha256sum", 16),
  FREEBSD("stat -f '%p\t%z\t%u\t%g\t%Su\t%Sg'", "sha256 -q", 8);

  private static final String TEMPLATE = """
      e= f=
      for p do
        if [ -e "$p" ] || [ -L "$p" ]; then printf e; e=1; else printf a; fi
        if [ -f "$p" ] && [ ! -L "$p" ]; then f=1; fi
      done
      echo
      [ -z "$e" ] || for p do
        if [ -e "$p" ] || [ -L "$p" ]; then printf '%%s\\0' "$p"; fi
      done | xargs -0 %s --
      echo --
      [ -z "$f" ] || for p do
        if [ -f "$p" ] && [ ! -L "$p" ]; then printf '%%s\\0' "$p"; fi
      done | xargs -0 %s --
      """;

  private static final String SEPARATOR = "--";

  private final String script;
  private final int modeRadix;

  StatScript(String stat, String sha256, int modeRadix) {
    this.script = String.format(TEMPLATE, stat, sha256);
    this.modeRadix = modeRadix;
  }

  /** The dialect for {@code platform} ({@code linux}, {@code freebsd}). */
  static Optional<StatScript> forPlatform(String platform) {
    return switch (platform) {
      case "linux" -> Optional.of(LINUX);
      case "freebsd" -> Optional.of(FREEBSD);
      default -> Optional.empty();
    };
  }

  /** {@code sh -c SCRIPT sh PATH...}: the argv that probes {@code paths}. */
  List<String> argv(List<String> paths) {
    List<String> argv = new ArrayList<>(paths.size() + 4);
    argv.addAll(List.of("sh", "-c", script, "sh"));
    argv.addAll(paths);
    return argv;
  }

  String script() {
    return script;
  }

  /**
   * One entry per path: empty when it does not exist.
   *
   * @throws IllegalStateException when the output does not account for every path (a tool failed on one, or a
   *     path changed while it was probed), naming the path when it can
   */
  List<Optional<FileState>> parse(String output, List<String> paths) {
    List<String> lines = output.lines().toList();
    String presence = lines.isEmpty() ? "" : lines.get(0);
    if (presence.length() != paths.size() || !presence.matches("[ae]*")) {
      throw new IllegalStateException("expected one presence letter per path (" + paths.size() + "), found `"
          + abbreviate(presence) + "`");
    }
    int separator = lines.indexOf(SEPARATOR);
    long existing = presence.chars().filter(c -> c == 'e').count();
    if (separator != existing + 1) {
      int found = (separator < 0 ? lines.size() : separator) - 1;
      throw new IllegalStateException("expected " + existing + " lines of stat output, found " + found);
    }
    List<String> digests = lines.subList(separator + 1, lines.size());
    List<Optional<FileState>> states = new ArrayList<>(paths.size());
    int stat = 1;
    int digest = 0;
    for (int i = 0; i < paths.size(); i++) {
      if (presence.charAt(i) == 'a') {
        states.add(Optional.empty());
        continue;
      }
      String path = paths.get(i);
      String[] f = lines.get(stat++).split("\t", -1);
      FileType type;
      int rawMode;
      try {
        rawMode = Integer.parseInt(f[0], modeRadix);
        type = FileType.of(rawMode);
        if (f.length != 6) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalStateException(path + ": unexpected stat output `" + String.join("\t", f) + "`");
      }
      Optional<String> sha = Optional.empty();
      if (type == FileType.FILE) {
        if (digest >= digests.size()) {
          throw new IllegalStateException(path + ": no sha256 digest (it could not be read, or changed meanwhile)");
        }
        sha = Optional.of(sha256(digests.get(digest++), path));
      }
      states.add(Optional.of(new FileState(type, rawMode & 07777, parseSize(f[1], path), f[2], f[3], f[4], f[5],
          sha)));
    }
    if (digest != digests.size()) {
      throw new IllegalStateException("expected " + digest + " sha256 digests, found " + digests.size()
          + " (a path changed while it was probed)");
    }
    return states;
  }

  private static long parseSize(String size, String path) {
    try {
      return Long.parseLong(size);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(path + ": unexpected size `" + size + "` in stat output", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  /** The digest at the start of a sha256sum line ({@code \} first for escaped names) or of a sha256 -q line. */
  private static String sha256(String line, String path) {
    String hex = line.startsWith("\\") ? line.substring(1) : line;
    if (hex.length() < 64 || !hex.substring(0, 64).matches("[0-9a-fA-F]{64}")
        || (hex.length() > 64 && hex.charAt(64) != ' ')) {
      throw new IllegalStateException(path + ": expected a sha256 digest, found `" + abbreviate(line) + "`");
    }
    return hex.substring(0, 64).toLowerCase(Locale.ROOT);
  }
}

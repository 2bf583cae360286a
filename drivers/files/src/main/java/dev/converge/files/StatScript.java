package dev.converge.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The constant shell script that stats and hashes a batch of paths, given as its positional arguments (never
 * interpolated into the script), in the dialect of the target's platform, and the parser of its output.
 *
 * <p>The script prints one line per path, in argument order, with tab-separated fields:
 *
 * <pre>
 * absent
 * present  RAWMODE  SIZE  UID  GID  USER  GROUP  SHA256   (SHA256 is "-" for anything but a regular file)
 * error    MESSAGE
 * </pre>
 *
 * RAWMODE is {@code st_mode} with its type bits: hexadecimal from GNU {@code stat -c %f}, octal from FreeBSD
 * {@code stat -f %p} (stat(1): "p ... defaults to O"). Symbolic links are reported, never followed, and only
 * regular files are read, so a FIFO cannot hang the probe.
 */
enum StatScript {
  LINUX("stat -c '%f\t%s\t%u\t%g\t%U\t%G'", "sha256sum", 16),
  FREEBSD("stat -f '%p\t%z\t%u\t%g\t%Su\t%Sg'", "sha256 -q", 8);

  private static final String TEMPLATE = """
      fail() { printf 'error\\t%%s\\n' "$(printf '%%s' "$1" | tr '\\t\\n' '  ')"; }
      for p do
        if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo absent; continue; fi
        s=$(%s -- "$p" 2>&1) || { fail "$s"; continue; }
        h=-
        if [ -f "$p" ] && [ ! -L "$p" ]; then
          h=$( { %s < "$p"; } 2>&1) || { fail "$h"; continue; }
          h=${h%%%% *}
        fi
        printf 'present\\t%%s\\t%%s\\n' "$s" "$h"
      done
      """;

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
   * @throws IllegalStateException naming the path when the script reported an error for it, or when the output does
   *     not have one well-formed line per path
   */
  List<Optional<FileState>> parse(String output, List<String> paths) {
    List<String> lines = output.lines().toList();
    if (lines.size() != paths.size()) {
      throw new IllegalStateException(
          "expected " + paths.size() + " lines of stat output, found " + lines.size());
    }
    List<Optional<FileState>> states = new ArrayList<>(paths.size());
    for (int i = 0; i < lines.size(); i++) {
      states.add(parseLine(lines.get(i), paths.get(i)));
    }
    return states;
  }

  private Optional<FileState> parseLine(String line, String path) {
    String[] f = line.split("\t", -1);
    if (f[0].equals("absent") && f.length == 1) {
      return Optional.empty();
    }
    if (f[0].equals("error")) {
      throw new IllegalStateException(path + ": " + (f.length > 1 ? f[1].strip() : "unknown error"));
    }
    if (f[0].equals("present") && f.length == 8) {
      try {
        int rawMode = Integer.parseInt(f[1], modeRadix);
        FileType type = FileType.of(rawMode);
        Optional<String> sha = type == FileType.FILE ? Optional.of(sha256(f[7], path)) : Optional.empty();
        return Optional.of(new FileState(type, rawMode & 07777, Long.parseLong(f[2]), f[3], f[4], f[5], f[6], sha));
      } catch (NumberFormatException e) {
        throw unexpected(line, path);
      }
    }
    throw unexpected(line, path);
  }

  private static IllegalStateException unexpected(String line, String path) {
    return new IllegalStateException(path + ": unexpected stat output `" + line + "`");
  }

  private static String sha256(String hex, String path) {
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalStateException(path + ": expected a sha256 digest, found `" + hex + "`");
    }
    return hex.toLowerCase(Locale.ROOT);
  }
}

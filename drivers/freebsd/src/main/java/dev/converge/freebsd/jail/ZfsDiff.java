package dev.converge.freebsd.jail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

/**
 * What a jail changed in its root since it was cloned from its image: {@code zfs diff -H -F ORIGIN DATASET}, read as
 * the paths (relative to the root) it removed and those it wrote. OpenZFS (FreeBSD 13 and later) prints one change
 * per line, tab-separated: the change ({@code -} removed, {@code +} created, {@code M} modified, {@code R} renamed),
 * the file type, the path and, for a rename, the new path (a link-count change adds a last column, {@code (+1)}).
 * Paths are absolute, under the dataset's mountpoint, with every byte that is a space or less, a backslash, or 0177
 * and above written as a backslash and four octal digits ({@code \0040} for a space).
 *
 * @param removed paths to delete from a new root, in order
 * @param written paths to carry into a new root, parents before their children
 */
record ZfsDiff(List<String> removed, List<String> written) {

  ZfsDiff {
    removed = List.copyOf(removed);
    written = List.copyOf(written);
  }

  /**
   * The changes in {@code output} under {@code mountpoint}.
   *
   * @throws IllegalArgumentException naming the line that is not a change under {@code mountpoint}
   */
  static ZfsDiff parse(String output, String mountpoint) {
    TreeSet<String> removed = new TreeSet<>();
    TreeSet<String> written = new TreeSet<>();
    for (String line : output.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t");
      if (f.length < 3 || f[0].length() != 1 || f[1].length() != 1) {
        throw new IllegalArgumentException("zfs diff: expected CHANGE<tab>TYPE<tab>PATH, found `" + line + "`");
      }
      String path = relative(f[2], mountpoint, line);
      switch (f[0].charAt(0)) {
        case '-' -> removed.add(path);
        case '+', 'M' -> written.add(path);
        case 'R' -> {
          if (f.length < 4) {
            throw new IllegalArgumentException("zfs diff: a rename without its new path: `" + line + "`");
          }
          removed.add(path);
          written.add(relative(f[3], mountpoint, line));
        }
        default -> throw new IllegalArgumentException("zfs diff: unknown change `" + f[0] + "` in `" + line + "`");
      }
    }
    // the root itself is the new clone's own
    removed.remove("");
    written.remove("");
    return new ZfsDiff(List.copyOf(removed), List.copyOf(written));
  }

  private static String relative(String escaped, String mountpoint, String line) {
    String path = unescape(escaped, line);
    String prefix = mountpoint.endsWith("/") ? mountpoint : mountpoint + "/";
    if (path.equals(mountpoint) || path.equals(prefix)) {
      return "";
    }
    if (!path.startsWith(prefix) || path.contains("/../") || path.endsWith("/..")) {
      throw new IllegalArgumentException("zfs diff: `" + path + "` is not under " + mountpoint);
    }
    String rest = path.substring(prefix.length());
    return rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
  }

  private static String unescape(String text, String line) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      String octal = i + 5 <= text.length() ? text.substring(i + 1, i + 5) : "";
      if (!octal.matches("[0-7]{4}")) {
        throw new IllegalArgumentException("zfs diff: a backslash not followed by four octal digits in `" + line
            + "`");
      }
      bytes.write(Integer.parseInt(octal, 8));
      i += 4;
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}

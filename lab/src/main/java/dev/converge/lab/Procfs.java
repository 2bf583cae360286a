package dev.converge.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What {@code /proc} says about processes and namespaces. A process belongs to a lab host when it lives in the
 * host's network namespace: that identity survives a lost lab.json and cannot be confused by PID reuse, since a
 * namespace's inode is unique while the namespace exists.
 */
final class Procfs {

  private static final Path PROC = Path.of("/proc");

  private Procfs() {}

  /** The inode of a namespace file ({@code /run/netns/NAME}, {@code /proc/PID/ns/net}), if it exists. */
  static OptionalLong namespaceInode(Path file) {
    try {
      return OptionalLong.of(((Number) Files.getAttribute(file, "unix:ino")).longValue());
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** The inode of {@code pid}'s network namespace; empty if the process is gone or a zombie. */
  static OptionalLong networkNamespaceOf(long pid) {
    try {
      String link = Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("ns/net")).toString();
      // "net:[4026532281]"
      int open = link.indexOf('[');
      int close = link.indexOf(']');
      if (open < 0 || close < open) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(link.substring(open + 1, close)));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** True while {@code pid} exists and has not exited (a zombie has exited: only its parent's wait is missing). */
  static boolean isRunning(long pid) {
    return stat(pid).map(s -> s.state() != 'Z' && s.state() != 'X').orElse(false);
  }

  /** The process's start time in clock ticks after boot (field 22 of stat), to tell a PID's reuse apart. */
  static OptionalLong startTime(long pid) {
    return stat(pid).map(s -> OptionalLong.of(s.startTime())).orElse(OptionalLong.empty());
  }

  /** Every running process whose network namespace is one of {@code inodes}. */
  static List<Long> processesIn(Set<Long> inodes) {
    List<Long> found = new ArrayList<>();
    if (inodes.isEmpty()) {
      return found;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        OptionalLong ns = networkNamespaceOf(pid);
        if (ns.isPresent() && inodes.contains(ns.getAsLong()) && isRunning(pid)) {
          found.add(pid);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + PROC, e);
    }
    return found;
  }

  /** The mount points at or below {@code dir} in this process's mount namespace, deepest last. */
  static List<Path> mountPointsUnder(Path dir) {
    List<Path> found = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(PROC.resolve("self/mountinfo"))) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          Path point = Path.of(unescape(fields[4]));
          if (point.startsWith(dir)) {
            found.add(point);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
    }
    return found;
  }

  private record Stat(char state, long startTime) {}

  private static Optional<Stat> stat(long pid) {
    try {
      String text = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      // the command name (field 2) is in parentheses and may itself contain spaces and parentheses
      String[] rest = text.substring(text.lastIndexOf(')') + 2).split(" ");
      return Optional.of(new Stat(rest[0].charAt(0), Long.parseLong(rest[19])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
  private static String unescape(String field) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && isOctal(field.substring(i + 1, i + 4))) {
        sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isOctal(String digits) {
    return digits.chars().allMatch(d -> d >= '0' && d <= '7');
  }
}

package dev.converge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Which local TCP ports a set of processes hold, read from Linux's {@code /proc}: each process's socket inodes
 * ({@code /proc/PID/fd -> socket:[INODE]}) joined with {@code /proc/net/tcp} and {@code tcp6}.
 */
final class ProcTcpSockets {

  private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  private ProcTcpSockets() {}

  static Set<Integer> localPortsOf(Collection<Long> pids) {
    Set<String> inodes = new HashSet<>();
    for (long pid : pids) {
      inodes.addAll(socketInodes(pid));
    }
    Map<String, Integer> portByInode = portsByInode();
    Set<Integer> ports = new TreeSet<>();
    for (String inode : inodes) {
      Integer port = portByInode.get(inode);
      if (port != null) {
        ports.add(port);
      }
    }
    return ports;
  }

  private static Set<String> socketInodes(long pid) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        String target = readLinkOrEmpty(fd);
        if (target.startsWith("socket:[")) {
          inodes.add(target.substring("socket:[".length(), target.length() - 1));
        }
      }
    } catch (NoSuchFileException e) {
      // the process ended while we looked: it holds nothing
    } catch (IOException e) {
      throw new IllegalStateException("cannot list the descriptors of process " + pid + ": " + e.getMessage(), e);
    }
    return inodes;
  }

  private static String readLinkOrEmpty(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (IOException e) {
      return "";
    }
  }

  /** Rows look like {@code 0: 0100007F:1F90 00000000:0000 0A ... uid timeout INODE ...}. */
  private static Map<String, Integer> portsByInode() {
    Map<String, Integer> ports = new HashMap<>();
    for (Path table : TABLES) {
      List<String> rows;
      try {
        rows = Files.readAllLines(table);
      } catch (IOException e) {
        continue; // no IPv6 in this kernel
      }
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.trim().split("\\s+");
        String local = f[1];
        ports.put(f[9], Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
      }
    }
    return ports;
  }
}

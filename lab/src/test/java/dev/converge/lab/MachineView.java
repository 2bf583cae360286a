package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The machine as a test sees it with the ordinary tools (ip, /proc), independently of the lab's own code: used to
 * prove that a lab left nothing behind.
 */
final class MachineView {

  private MachineView() {}

  static String run(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The lab's id: the last 4 characters of its prefix; its interfaces start with {@code cv<id>}. */
  static String interfacePrefix(Lab lab) {
    String prefix = lab.prefix();
    return "cv" + prefix.substring(prefix.length() - 4);
  }

  static List<String> namespacesOf(Lab lab) {
    return run("ip", "netns", "list").lines().map(l -> l.split(" ")[0])
        .filter(n -> n.startsWith(lab.prefix() + "-")).toList();
  }

  static List<String> interfacesOf(Lab lab) {
    return run("ip", "-br", "link").lines().map(l -> l.split("[ @]")[0])
        .filter(n -> n.startsWith(interfacePrefix(lab))).toList();
  }

  static List<String> mountsOf(Lab lab) {
    try {
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .filter(l -> l.contains(lab.prefix())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The processes among {@code pids} that still run (a zombie has exited: only its parent's wait is missing). */
  static List<Long> running(Collection<Long> pids) {
    return pids.stream().filter(MachineView::isRunning).toList();
  }

  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** Every process whose network namespace is one of the lab's, found through /proc. */
  static List<Long> processesOf(Lab lab) {
    List<String> inodes = namespacesOf(lab).stream().map(n -> {
      try {
        return Files.getAttribute(Path.of("/run/netns", n), "unix:ino").toString();
      } catch (IOException e) {
        return "";
      }
    }).filter(i -> !i.isEmpty()).toList();
    try (var dirs = Files.list(Path.of("/proc"))) {
      return dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).filter(d -> {
        try {
          String link = Files.readSymbolicLink(d.resolve("ns/net")).toString();
          return inodes.stream().anyMatch(i -> link.equals("net:[" + i + "]"));
        } catch (IOException e) {
          return false;
        }
      }).map(d -> Long.parseLong(d.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The processes that hold the lab's hosts ({@code unshare}, started by {@code up}). */
  static List<Long> hostInitsOf(Lab lab) {
    return processesOf(lab).stream().filter(pid -> {
      try {
        return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals("unshare");
      } catch (IOException e) {
        return false;
      }
    }).toList();
  }

  /** Asserts that nothing of {@code lab} is left on the machine, and that none of {@code pids} runs. */
  static void assertNothingLeft(Lab lab, Collection<Long> pids) {
    assertThat(namespacesOf(lab)).as("network namespaces of " + lab.prefix()).isEmpty();
    assertThat(interfacesOf(lab)).as("interfaces of " + lab.prefix()).isEmpty();
    assertThat(mountsOf(lab)).as("mounts of " + lab.prefix()).isEmpty();
    assertThat(running(pids)).as("processes of " + lab.prefix()).isEmpty();
    assertThat(Path.of("/run/converge-lab", lab.prefix())).doesNotExist();
    assertThat(lab.directory()).doesNotExist();
  }
}

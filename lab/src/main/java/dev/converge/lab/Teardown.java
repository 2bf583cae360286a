package dev.converge.lab;

import dev.converge.lab.LabState.HostRecord;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Removes lab hosts, or a whole lab, from the machine in the order that leaves nothing behind: SIGKILL every
 * process in the hosts' network namespaces (the {@code unshare} holding a host takes its PID namespace with it),
 * wait until they are gone, delete the management veths, delete the namespaces, then the bridge, then the runtime
 * directories. Deleting a namespace first would let sockets of its dying processes pin it, with its veth.
 *
 * <p>Works from lab.json when there is one and from the lab's names alone when there is not: namespaces named with
 * the prefix, processes whose network namespace is one of them, veths attached to the bridge, and the bridge only if
 * its alias says it is this lab's. Processes are only ever signalled by PID, after that check.
 */
final class Teardown {

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
  private static final int KILL_ROUNDS = 5;

  private final LabNames names;
  private final Path runtimeDirectory;

  Teardown(LabNames names, Path runtimeRoot) {
    this.names = names;
    this.runtimeDirectory = names.runtimeDirectory(runtimeRoot);
  }

  Path hostRuntimeDirectory(String host) {
    return runtimeDirectory.resolve("hosts").resolve(host);
  }

  /** True if anything named for this lab exists: a namespace with its prefix, or its bridge, or its directory. */
  boolean anythingLeft() {
    return Ip.namespaces().stream().anyMatch(n -> names.hostOfNetns(n).isPresent())
        || ownBridge().isPresent() || Files.exists(runtimeDirectory);
  }

  /** Removes everything of the lab: the {@code recorded} hosts, any other namespace with its prefix, the bridge. */
  void removeAll(Optional<LabState> recorded) {
    Map<String, HostRecord> hosts = new TreeMap<>(recorded.map(LabState::hosts).orElse(new TreeMap<>()));
    for (String netns : Ip.namespaces()) {
      names.hostOfNetns(netns).ifPresent(host -> hosts.putIfAbsent(host,
          new HostRecord(netns, names.managementVeth(host), null, 0, 0)));
    }
    removeHosts(hosts);
    Optional<Ip.Link> bridge = ownBridge();
    if (bridge.isPresent()) {
      List<String> commands = new ArrayList<>();
      Ip.links().stream().filter(l -> l.master().equals(Optional.of(names.bridge())))
          .forEach(l -> commands.add("link del dev " + l.name()));
      commands.add("link del dev " + names.bridge());
      Ip.batch(commands);
      if (Ip.link(names.bridge()).isPresent()) {
        throw new LabException("cannot delete the lab's bridge " + names.bridge());
      }
    }
    deleteDirectory(runtimeDirectory);
    try {
      Files.deleteIfExists(runtimeDirectory.getParent());
    } catch (DirectoryNotEmptyException e) {
      // another lab's directory is there
    } catch (IOException e) {
      throw new LabException("cannot delete " + runtimeDirectory.getParent() + ": " + e.getMessage(), e);
    }
  }

  /** Removes {@code hosts} (by name) and their runtime directories; leaves the bridge and the other hosts. */
  void removeHosts(Map<String, HostRecord> hosts) {
    if (hosts.isEmpty()) {
      return;
    }
    killProcesses(hosts.values());
    Set<String> veths = new HashSet<>();
    hosts.values().forEach(h -> veths.add(h.veth()));
    List<String> commands = new ArrayList<>();
    Ip.links().stream().map(Ip.Link::name).filter(veths::contains).sorted()
        .forEach(v -> commands.add("link del dev " + v));
    Set<String> namespaces = new HashSet<>(Ip.namespaces());
    hosts.values().stream().map(HostRecord::netns).filter(namespaces::contains).sorted()
        .forEach(n -> commands.add("netns del " + n));
    String complaints = Ip.batch(commands);
    hosts.keySet().forEach(h -> deleteDirectory(hostRuntimeDirectory(h)));

    List<String> left = new ArrayList<>();
    Ip.links().stream().map(Ip.Link::name).filter(veths::contains).forEach(v -> left.add("veth " + v));
    Ip.namespaces().stream().filter(n -> hosts.values().stream().anyMatch(h -> h.netns().equals(n)))
        .forEach(n -> left.add("network namespace " + n));
    if (!left.isEmpty()) {
      throw new LabException("cannot remove " + String.join(", ", left)
          + (complaints.isEmpty() ? "" : " (" + complaints + ")"));
    }
  }

  private void killProcesses(Iterable<HostRecord> hosts) {
    Set<Long> inodes = new HashSet<>();
    List<Long> recorded = new ArrayList<>();
    for (HostRecord h : hosts) {
      Procfs.namespaceInode(Ip.namespaceFile(h.netns())).ifPresent(inodes::add);
      OptionalLong started = Procfs.startTime(h.pid());
      if (h.pid() > 0 && Procfs.isRunning(h.pid()) && started.isPresent() && started.getAsLong() == h.startTime()) {
        recorded.add(h.pid());
      }
    }
    List<Long> victims = new ArrayList<>(recorded);
    for (int round = 0; round < KILL_ROUNDS; round++) {
      victims.addAll(Procfs.processesIn(inodes));
      if (victims.isEmpty()) {
        return;
      }
      victims.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      Deadline deadline = Deadline.in(EXIT_TIMEOUT);
      while (victims.stream().anyMatch(Procfs::isRunning)) {
        if (deadline.passed()) {
          throw new LabException("processes of the lab did not exit within " + EXIT_TIMEOUT.toSeconds()
              + " s of SIGKILL: " + victims.stream().filter(Procfs::isRunning).toList());
        }
        deadline.pause();
      }
      victims.clear();
    }
    List<Long> still = Procfs.processesIn(inodes);
    if (!still.isEmpty()) {
      throw new LabException("processes keep appearing in the lab's namespaces: " + still);
    }
  }

  private Optional<Ip.Link> ownBridge() {
    return Ip.link(names.bridge()).filter(l -> l.alias().equals(Optional.of(names.bridgeAlias())));
  }

  /** Deletes {@code dir} and everything below, after detaching any mount left under it (there should be none). */
  static void deleteDirectory(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> mounts = new ArrayList<>(Procfs.mountPointsUnder(dir));
    mounts.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path mount : mounts) {
      ProcessRunner.run(List.of(Tool.UMOUNT.path(), "-l", mount.toString()));
    }
    ProcessRunner.check(List.of(Tool.RM.path(), "-rf", "--one-file-system", "--", dir.toString()));
    if (Files.exists(dir)) {
      throw new LabException("cannot delete " + dir);
    }
  }

  static void deleteFileIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (NoSuchFileException e) {
      // gone meanwhile
    } catch (IOException e) {
      throw new LabException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}

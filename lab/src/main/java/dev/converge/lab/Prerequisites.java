package dev.converge.lab;

import dev.converge.driver.ExecResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the lab needs from the machine: root, and the {@link Tool}s ({@link Tool#LAB} for every lab,
 * {@link Tool#MIRROR} when a {@link DebianMirror} is filled). Missing tools are installed with apt-get on Debian and
 * Ubuntu; elsewhere the lab fails naming the packages.
 *
 * <p>While apt-get runs, a {@code policy-rc.d} that denies every service start is put in place if the machine has
 * none (and removed afterwards): installing FRR or BIND must not start their daemons on the machine itself, since
 * the lab only ever runs them inside lab hosts.
 */
final class Prerequisites {

  private static final Path APT_GET = Path.of("/usr/bin/apt-get");
  private static final Path OS_RELEASE = Path.of("/etc/os-release");
  private static final Path POLICY_RC_D = Path.of("/usr/sbin/policy-rc.d");
  private static final String POLICY_MARKER = "# converge-lab: no service starts while the lab installs packages";
  private static final Duration APT_TIMEOUT = Duration.ofMinutes(15);

  private Prerequisites() {}

  static void requireRoot() {
    if (!isRoot()) {
      throw new LabException("the lab must run as root: it creates network namespaces, veth pairs, a bridge and"
          + " mounts, and starts an sshd per host (run converge --lab as root, e.g. with sudo)");
    }
  }

  static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Root, and the lab's {@link Tool}s: installs the missing ones with apt-get when it can, saying so on progress. */
  static void ensure(Consumer<String> progress) {
    ensure(Tool.LAB, "the lab and its drivers need them", true, progress);
  }

  /**
   * Root, and {@code tools}: installs the missing ones with apt-get when it can (without recommended packages
   * unless {@code recommends}), saying on progress that {@code why}.
   */
  static void ensure(Set<Tool> tools, String why, boolean recommends, Consumer<String> progress) {
    requireRoot();
    removeStalePolicy();
    List<String> packages = missingPackages(tools);
    if (packages.isEmpty()) {
      return;
    }
    String list = String.join(" ", packages);
    if (!Files.isExecutable(APT_GET) || !isDebianLike()) {
      throw new LabException("the lab needs these packages, which are not installed: " + list
          + " (no apt-get on a Debian or Ubuntu system here to install them: install them and run again)");
    }
    List<String> install = new ArrayList<>(List.of(APT_GET.toString(), "install", "-y", "-qq"));
    if (!recommends) {
      install.add("--no-install-recommends");
    }
    install.addAll(packages);
    progress.accept("installing " + list + " (apt-get install -y" + (recommends ? "" : " --no-install-recommends")
        + "): " + why);
    boolean ownPolicy = installPolicy();
    try {
      apt(List.of(APT_GET.toString(), "update", "-qq"));
      apt(install);
    } finally {
      if (ownPolicy) {
        removeStalePolicy();
      }
    }
    List<String> still = missingPackages(tools);
    if (!still.isEmpty()) {
      throw new LabException("apt-get install succeeded but these packages' programs are still missing: "
          + String.join(" ", still));
    }
  }

  static List<String> missingPackages() {
    return missingPackages(Tool.LAB);
  }

  static List<String> missingPackages(Set<Tool> tools) {
    return tools.stream().filter(t -> t.find().isEmpty()).map(Tool::debianPackage).distinct().sorted().toList();
  }

  private static void apt(List<String> argv) {
    ExecResult r = ProcessRunner.run(argv, new byte[0], APT_TIMEOUT, Map.of("DEBIAN_FRONTEND", "noninteractive"));
    if (!r.ok()) {
      String tail = ProcessRunner.lastLines((r.out() + r.err()).strip().lines().toList(), 20);
      throw new LabException("`" + ProcessRunner.display(argv) + "` failed (exit " + r.exitCode() + "):\n" + tail);
    }
  }

  private static boolean isDebianLike() {
    try {
      String release = Files.readString(OS_RELEASE);
      return release.lines().anyMatch(l -> (l.startsWith("ID=") || l.startsWith("ID_LIKE="))
          && (l.contains("debian") || l.contains("ubuntu")));
    } catch (IOException e) {
      return false;
    }
  }

  /** Puts a deny-all policy-rc.d in place if there is none; true if this call wrote it. */
  private static boolean installPolicy() {
    if (Files.exists(POLICY_RC_D)) {
      return false;
    }
    try {
      Files.writeString(POLICY_RC_D, "#!/bin/sh\n" + POLICY_MARKER + "\nexit 101\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(POLICY_RC_D, PosixFilePermissions.fromString("rwxr-xr-x"));
      return true;
    } catch (IOException e) {
      throw new LabException("cannot write " + POLICY_RC_D + ": " + e.getMessage(), e);
    }
  }

  /** Removes a policy-rc.d this class wrote, also one left by a run killed during apt-get. */
  private static void removeStalePolicy() {
    try {
      if (Files.isRegularFile(POLICY_RC_D) && Files.readString(POLICY_RC_D).contains(POLICY_MARKER)) {
        Files.delete(POLICY_RC_D);
      }
    } catch (IOException e) {
      throw new LabException("cannot remove " + POLICY_RC_D + ": " + e.getMessage(), e);
    }
  }
}

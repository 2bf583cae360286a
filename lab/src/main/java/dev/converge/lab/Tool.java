package dev.converge.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A program the lab, or the drivers that run inside lab hosts, needs, and the Debian package that provides it.
 * Found in the system directories only, never through the caller's {@code PATH}.
 */
enum Tool {
  IP("ip", "iproute2"),
  UNSHARE("unshare", "util-linux"),
  NSENTER("nsenter", "util-linux"),
  SETSID("setsid", "util-linux"),
  MOUNT("mount", "mount"),
  UMOUNT("umount", "mount"),
  RM("rm", "coreutils"),
  SSHD("sshd", "openssh-server"),
  SSH_KEYGEN("ssh-keygen", "openssh-client"),
  SSH("ssh", "openssh-client"),
  ZEBRA("/usr/lib/frr/zebra", "frr"),
  FRR_RELOAD("/usr/lib/frr/frr-reload.py", "frr-pythontools"),
  NAMED("named", "bind9"),
  DIG("dig", "bind9-dnsutils"),
  NSUPDATE("nsupdate", "bind9-dnsutils"),
  NFT("nft", "nftables"),
  SUDO("sudo", "sudo"),
  SYSCTL("sysctl", "procps"),
  DEBOOTSTRAP("debootstrap", "debootstrap"),
  DPKG("dpkg", "dpkg"),
  APT_GET("apt-get", "apt"),
  DPKG_SCANPACKAGES("dpkg-scanpackages", "dpkg-dev"),
  APT_FTPARCHIVE("apt-ftparchive", "apt-utils");

  /** What filling the lab's Debian mirrors needs ({@link DebianMirror}): installed when a mirror is filled only. */
  static final Set<Tool> MIRROR = Collections.unmodifiableSet(
      EnumSet.of(DEBOOTSTRAP, DPKG, APT_GET, DPKG_SCANPACKAGES, APT_FTPARCHIVE));
  /** What the lab and the drivers inside its hosts need: every other tool, installed by every {@code lab up}. */
  static final Set<Tool> LAB = Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.copyOf(MIRROR)));

  private static final List<Path> DIRECTORIES =
      Arrays.stream(ProcessRunner.PATH.split(":")).map(Path::of).toList();

  private final String command;
  private final String debianPackage;

  Tool(String command, String debianPackage) {
    this.command = command;
    this.debianPackage = debianPackage;
  }

  String debianPackage() {
    return debianPackage;
  }

  String command() {
    return command;
  }

  Optional<Path> find() {
    if (command.startsWith("/")) {
      return Optional.of(Path.of(command)).filter(Files::isExecutable);
    }
    return DIRECTORIES.stream().map(d -> d.resolve(command)).filter(Files::isExecutable).findFirst();
  }

  /** The program's absolute path. */
  String path() {
    return find().map(Path::toString).orElseThrow(() -> new LabException("`" + command + "` is not installed:"
        + " the lab needs the Debian package " + debianPackage + " (apt-get install " + debianPackage + ")"));
  }
}

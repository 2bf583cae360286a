package dev.converge.jails;

import dev.converge.driver.Command;
import dev.converge.images.ImageStore;
import java.util.ArrayList;
import java.util.List;

/**
 * How a command runs inside a Linux jail ({@link dev.converge.transport.JailTransport}'s entry): in the jail's
 * namespaces with the jail's root as its root ({@code nsenter … chroot ROOT …}), so that paths, users, the loopback,
 * {@code /proc} and {@code /dev} are the jail's: those of its running start process, else just its network namespace.
 */
final class EnteredJail {

  /**
   * Arguments: the jail's directory, its network namespace, the command. The start process is recognised as the jail
   * driver's start script does: by its command line naming the jail's root.
   */
  private static final String ENTER = String.join("; ",
      "jail=$1 ns=$2",
      "shift 2",
      "root=$jail/root",
      "pid=$(cat \"$jail/pid\" 2>/dev/null || true)",
      "if [ -n \"$pid\" ] && tr '\\0' '\\n' 2>/dev/null <\"/proc/$pid/cmdline\""
          + " | grep -qxF -e \"--mount-proc=$root/proc\" -e \"--directory=$root\"; then"
          + " exec nsenter -t \"$pid\" -m -u -n -- chroot \"$root\" \"$@\"; fi",
      "exec nsenter --net=\"/run/netns/$ns\" -- chroot \"$root\" \"$@\"");

  private EnteredJail() {}

  static Command inside(String name, Command command) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", ENTER, "converge-enter",
        ImageStore.LINUX_JAILS + "/" + name, "cj-" + name));
    argv.addAll(command.argv());
    return new Command(argv, command.stdin(), command.timeout());
  }
}

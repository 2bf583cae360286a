package dev.converge.jails;

import com.google.common.net.InetAddresses;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.images.ImageStore;
import dev.converge.transport.FileCommands;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inside of a Linux jail, over its host's transport: every command runs in the jail's namespaces with the
 * jail's root as its root ({@code nsenter … chroot ROOT …}), so that paths, users, the loopback, {@code /proc} and
 * {@code /dev} are the jail's: those of its running start process, else just its network namespace. Files are read and replaced by the same constant scripts as over SSH, run inside, so that a symbolic link
 * in the jail can never point a write at the host's files. Connections to the jail's loopback go to the jail's
 * address from the host.
 */
final class EnteredJail implements Transport {

  private static final Duration FILE_TIMEOUT = Duration.ofSeconds(60);

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

  private final Transport host;
  private final String name;
  private final String address;

  EnteredJail(Transport host, String name, String address) {
    this.host = host;
    this.name = name;
    this.address = address;
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    return host.exec(inside(command));
  }

  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    return host.stream(inside(command), input, output);
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    ExecResult r = exec(FileCommands.read(path, FILE_TIMEOUT));
    if (r.exitCode() == FileCommands.MISSING) {
      return Optional.empty();
    }
    if (!r.ok()) {
      throw new TransportException("cannot read " + path + " in " + describe() + ": " + r.err().strip());
    }
    return Optional.of(r.stdout());
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    ExecResult r = exec(FileCommands.write(path, content, attributes, FILE_TIMEOUT));
    if (!r.ok()) {
      throw new TransportException("cannot write " + path + " in " + describe() + ": " + r.err().strip());
    }
  }

  @Override
  public StreamConnection connect(String to, int port) throws TransportException {
    return host.connect(isLoopback(to) ? address : to, port);
  }

  @Override
  public boolean isOpen() {
    return host.isOpen();
  }

  @Override
  public String describe() {
    return "jail " + name + " via " + host.describe();
  }

  /** The host's transport is shared: it stays open. */
  @Override
  public void close() {}

  private Command inside(Command command) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", ENTER, "converge-enter",
        ImageStore.LINUX_JAILS + "/" + name, "cj-" + name));
    argv.addAll(command.argv());
    return new Command(argv, command.stdin(), command.timeout());
  }

  private static boolean isLoopback(String to) {
    return InetAddresses.isInetAddress(to) && InetAddresses.forString(to).isLoopbackAddress();
  }
}

package dev.converge.transport;

import com.google.common.net.InetAddresses;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * The inside of a jail over its host's transport: every command runs inside the jail (how is the jail driver's
 * {@link Entry}: {@code jexec}, {@code nsenter} and {@code chroot}), so that paths, users and the loopback are the
 * jail's. Files are read and replaced by {@link FileCommands}' constant scripts run inside, so that a symbolic link in
 * the jail can never point a write at the host's files. Connections to the jail's loopback go to the jail's address
 * from the host. Closing it leaves the host's transport open.
 */
public final class JailTransport implements Transport {

  /** How a command becomes the same command run inside the jail. */
  @FunctionalInterface
  public interface Entry {
    Command inside(Command command);
  }

  private static final Duration FILE_TIMEOUT = Duration.ofSeconds(60);

  private final Transport host;
  private final String jail;
  private final String address;
  private final Entry entry;

  /**
   * @param host the jail's host's transport
   * @param jail the jail's name, for messages
   * @param address the jail's address, where connections to its loopback go
   */
  public JailTransport(Transport host, String jail, String address, Entry entry) {
    this.host = host;
    this.jail = jail;
    this.address = address;
    this.entry = entry;
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    return host.exec(entry.inside(command));
  }

  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    return host.stream(entry.inside(command), input, output);
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
    boolean loopback = InetAddresses.isInetAddress(to) && InetAddresses.forString(to).isLoopbackAddress();
    return host.connect(loopback ? address : to, port);
  }

  @Override
  public boolean isOpen() {
    return host.isOpen();
  }

  @Override
  public String describe() {
    return "jail " + jail + " via " + host.describe();
  }

  /** The host's transport is shared: it stays open. */
  @Override
  public void close() {}
}

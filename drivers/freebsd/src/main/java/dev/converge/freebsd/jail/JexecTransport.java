package dev.converge.freebsd.jail;

import com.google.common.net.InetAddresses;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.transport.FileCommands;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inside of a FreeBSD jail over its host's transport: every command runs through {@code jexec NAME}, so that
 * paths, users and the loopback are the jail's. Files are read and replaced by {@link FileCommands}' constant scripts
 * run inside, so a symbolic link in the jail can never point a write at the host's files. Connections to the
 * jail's loopback go to the jail's address from the host.
 */
final class JexecTransport implements Transport {

  private static final Duration FILE_TIMEOUT = Duration.ofSeconds(60);

  private final Transport host;
  private final String jail;
  private final String address;

  JexecTransport(Transport host, String jail, String address) {
    this.host = host;
    this.jail = jail;
    this.address = address;
  }

  /** {@code command} run inside {@code jail}. */
  static Command inside(String jail, Command command) {
    List<String> argv = new ArrayList<>(List.of("jexec", jail));
    argv.addAll(command.argv());
    return new Command(argv, command.stdin(), command.timeout());
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    return host.exec(inside(jail, command));
  }

  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    return host.stream(inside(jail, command), input, output);
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
    return host.connect(InetAddresses.isInetAddress(to) && InetAddresses.forString(to).isLoopbackAddress()
        ? address : to, port);
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

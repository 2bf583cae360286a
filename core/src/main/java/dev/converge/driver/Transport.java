package dev.converge.driver;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Runs commands and moves files on one host. Implementations are thread-safe: many probes and actions share one
 * transport (for SSH, one connection) at once.
 */
public interface Transport extends AutoCloseable {

  /**
   * Runs {@code command.argv()} (never a shell string built from input: for SSH every argument is quoted) with
   * {@code command.stdin()} and waits at most {@code command.timeout()}.
   *
   * @throws CommandTimeoutException when the command outlives its timeout
   * @throws TransportException when the host cannot be reached or the connection dies
   */
  ExecResult exec(Command command) throws TransportException;

  /**
   * Runs {@code command.argv()} like {@link #exec}, but with its standard input read from {@code input} until EOF and
   * its standard output copied to {@code output} as they flow, so that data of any size (a root filesystem as a tar
   * stream) passes through without being held in memory. {@code command.stdin()} is ignored; the result carries the
   * exit code and stderr, and an empty stdout. Neither stream is closed.
   *
   * @throws CommandTimeoutException when the command outlives its timeout
   * @throws TransportException when the host cannot be reached, the connection dies, or a stream fails
   */
  default ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    throw new TransportException(describe() + " cannot stream a command's input and output");
  }

  /** The file's bytes, or empty if it does not exist. */
  Optional<byte[]> read(String path) throws TransportException;

  /**
   * Replaces {@code path} atomically (a temporary file in the same directory, synced, then renamed) with
   * {@code content} and {@code attributes}; the content is never readable with looser permissions than asked.
   */
  void write(String path, byte[] content, FileAttributes attributes) throws TransportException;

  /**
   * Opens a TCP connection to {@code address:port} as this host sees it: over SSH a {@code direct-tcpip} channel
   * of the host's one connection, locally a socket. Drivers speak network protocols through it (DNS updates to a
   * server on the host's loopback), so they need no route from converge to the daemon and no extra credentials.
   *
   * @throws TransportException when the host refuses to forward or nothing listens there
   */
  default StreamConnection connect(String address, int port) throws TransportException {
    throw new TransportException(describe() + " cannot open TCP connections");
  }

  /**
   * False once the connection is known to be dead (keep-alive unanswered, peer closed): the engine then opens a
   * new transport instead of reusing this one.
   */
  default boolean isOpen() {
    return true;
  }

  /** For messages: {@code ssh root@10.0.0.1:22}, {@code local}. */
  String describe();

  @Override
  void close();
}

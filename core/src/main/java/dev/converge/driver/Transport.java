package dev.converge.driver;

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

  /** The file's bytes, or empty if it does not exist. */
  Optional<byte[]> read(String path) throws TransportException;

  /**
   * Replaces {@code path} atomically (a temporary file in the same directory, synced, then renamed) with
   * {@code content} and {@code attributes}; the content is never readable with looser permissions than asked.
   */
  void write(String path, byte[] content, FileAttributes attributes) throws TransportException;

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

package dev.converge.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.testing.ScriptedTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ScriptedTransport} FreeBSD host that also takes streams: each expected stream's argv is checked in order,
 * and the bytes it received are kept.
 */
final class ScriptedStreams implements Transport {

  /** A stream the driver ran: its argv and every byte of its input. */
  record Streamed(List<String> argv, byte[] input) {}

  private final ScriptedTransport host = new ScriptedTransport();
  private final Deque<List<String>> expectedStreams = new ArrayDeque<>();
  private final List<Streamed> streamed = new ArrayList<>();

  ScriptedStreams expect(List<String> argv, String out) {
    host.expect(argv, out);
    return this;
  }

  ScriptedStreams expectStream(List<String> argv) {
    expectedStreams.add(List.copyOf(argv));
    return this;
  }

  List<Streamed> streamed() {
    return List.copyOf(streamed);
  }

  List<Command> executed() {
    return host.executed();
  }

  void assertAllAnswered() {
    host.assertAllAnswered();
    assertThat(expectedStreams).as("streams expected but never run").isEmpty();
  }

  Target target(String name) {
    Target scripted = host.target(name);
    Transport self = this;
    return new Target() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String platform() {
        return scripted.platform();
      }

      @Override
      public Transport transport() {
        return self;
      }
    };
  }

  @Override
  public ExecResult exec(Command command) {
    return host.exec(command);
  }

  @Override
  public synchronized ExecResult stream(Command command, InputStream input, OutputStream output)
      throws TransportException {
    List<String> next = expectedStreams.poll();
    assertThat(next).as("unexpected stream %s", command.argv()).isNotNull();
    assertThat(command.argv()).isEqualTo(next);
    try {
      streamed.add(new Streamed(command.argv(), input.readAllBytes()));
    } catch (IOException e) {
      throw new TransportException("reading the stream failed", e);
    }
    return new ExecResult(0, new byte[0], new byte[0]);
  }

  @Override
  public Optional<byte[]> read(String path) {
    return host.read(path);
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    host.write(path, content, attributes);
  }

  @Override
  public String describe() {
    return "scripted FreeBSD host";
  }

  @Override
  public void close() {}
}

package dev.converge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A host as a script, for drivers of platforms that do not run here (FreeBSD): each expected argv, in order, answers
 * with documented output; an unexpected or surplus command fails the test. Files read and written are kept in memory.
 */
public final class ScriptedTransport implements Transport {

  /** A file written through the transport. */
  public record Write(String path, String content, FileAttributes attributes) {}

  private record Expectation(List<String> argv, ExecResult result) {}

  private final Deque<Expectation> expected = new ArrayDeque<>();
  private final Map<String, String> files = new HashMap<>();
  private final List<Write> writes = new ArrayList<>();
  private final List<String> failingWrites = new ArrayList<>();
  private final List<Command> executed = new ArrayList<>();
  private final List<String> streamed = new ArrayList<>();

  public ScriptedTransport expect(List<String> argv, int exit, String out, String err) {
    expected.add(new Expectation(List.copyOf(argv), new ExecResult(exit, bytes(out), bytes(err))));
    return this;
  }

  public ScriptedTransport expect(List<String> argv, String out) {
    return expect(argv, 0, out, "");
  }

  /** A probe script with its positional arguments: {@code sh -c SCRIPT sh ARGS...}. */
  public static List<String> script(String script, String... args) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", script, "sh"));
    argv.addAll(List.of(args));
    return argv;
  }

  public ScriptedTransport file(String path, String content) {
    files.put(path, content);
    return this;
  }

  /** Writes to {@code path} fail, as when its directory is missing. */
  public ScriptedTransport failWrites(String path) {
    failingWrites.add(path);
    return this;
  }

  /** Every command run so far, with its stdin. */
  public List<Command> executed() {
    return List.copyOf(executed);
  }

  public List<Write> writes() {
    return List.copyOf(writes);
  }

  public Optional<String> fileContent(String path) {
    return Optional.ofNullable(files.get(path));
  }

  public void assertAllAnswered() {
    assertThat(expected).as("commands expected but never run").isEmpty();
  }

  public Target target(String host) {
    Transport self = this;
    return new Target() {
      @Override
      public String name() {
        return host;
      }

      @Override
      public String platform() {
        return "freebsd";
      }

      @Override
      public Transport transport() {
        return self;
      }
    };
  }

  @Override
  public synchronized ExecResult exec(Command command) {
    executed.add(command);
    Expectation next = expected.poll();
    assertThat(next).as("unexpected command %s", command.argv()).isNotNull();
    assertThat(command.argv()).isEqualTo(next.argv());
    return next.result();
  }

  /**
   * Like {@link #exec}, against the same script: the input is read to its end and kept ({@link #streamed}), the
   * expected stdout is written to {@code output}, and the result has an empty stdout.
   */
  @Override
  public synchronized ExecResult stream(Command command, InputStream input, OutputStream output)
      throws TransportException {
    ExecResult answer = exec(command);
    try {
      streamed.add(new String(input.readAllBytes(), StandardCharsets.UTF_8));
      output.write(answer.stdout());
    } catch (IOException e) {
      throw new TransportException("stream of " + command.argv() + " failed: " + e.getMessage(), e);
    }
    return new ExecResult(answer.exitCode(), new byte[0], answer.stderr());
  }

  /** The input each {@link #stream} call read, in order. */
  public synchronized List<String> streamed() {
    return List.copyOf(streamed);
  }

  @Override
  public synchronized Optional<byte[]> read(String path) {
    return Optional.ofNullable(files.get(path)).map(ScriptedTransport::bytes);
  }

  @Override
  public synchronized void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    if (failingWrites.remove(path)) {
      throw new TransportException("sftp: No such file");
    }
    String text = new String(content, StandardCharsets.UTF_8);
    writes.add(new Write(path, text, attributes));
    files.put(path, text);
  }

  @Override
  public String describe() {
    return "scripted";
  }

  @Override
  public void close() {}

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.converge.images;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.testing.CountingTransport;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lab host as the engine reaches it: commands through the lab's counting SSH transport, and streams through a
 * second SSH transport to the same host, since {@link CountingTransport} passes on everything but streams. Counts
 * both, so a test can tell that nothing at all reached the host.
 */
final class StreamingLabTransport implements Transport {

  private final CountingTransport commands;
  private final Transport streams;
  private final AtomicInteger streamed = new AtomicInteger();

  StreamingLabTransport(CountingTransport commands, Transport streams) {
    this.commands = commands;
    this.streams = streams;
  }

  /** Commands and streams since the last {@link #reset()}. */
  int roundTrips() {
    return commands.roundTrips() + streamed.get();
  }

  void reset() {
    commands.reset();
    streamed.set(0);
  }

  Target target(String host) {
    Transport self = this;
    return new Target() {
      @Override
      public String name() {
        return host;
      }

      @Override
      public String platform() {
        return "linux";
      }

      @Override
      public Transport transport() {
        return self;
      }
    };
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    return commands.exec(command);
  }

  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    streamed.incrementAndGet();
    return streams.stream(command, input, output);
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    return commands.read(path);
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    commands.write(path, content, attributes);
  }

  @Override
  public String describe() {
    return commands.describe();
  }

  @Override
  public void close() {
    streams.close();
  }
}

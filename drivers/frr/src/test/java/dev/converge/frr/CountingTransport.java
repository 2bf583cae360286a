package dev.converge.frr;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Passes everything to a real transport and counts round trips, so tests can assert how many a probe makes. */
final class CountingTransport implements Transport {

  private final Transport delegate;
  private final AtomicInteger roundTrips = new AtomicInteger();

  CountingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  int roundTrips() {
    return roundTrips.get();
  }

  void reset() {
    roundTrips.set(0);
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    roundTrips.incrementAndGet();
    return delegate.exec(command);
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    roundTrips.incrementAndGet();
    return delegate.read(path);
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    roundTrips.incrementAndGet();
    delegate.write(path, content, attributes);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}

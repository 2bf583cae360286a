package dev.converge.files;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Passes everything to a real transport and counts round trips, so tests can assert how many a driver makes. */
final class CountingTransport implements Transport {

  private final Transport delegate;
  private final AtomicInteger execs = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();

  CountingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  int execs() {
    return execs.get();
  }

  int writes() {
    return writes.get();
  }

  void reset() {
    execs.set(0);
    writes.set(0);
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    execs.incrementAndGet();
    return delegate.exec(command);
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    return delegate.read(path);
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    writes.incrementAndGet();
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

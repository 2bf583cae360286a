package dev.converge.testing;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Passes everything to a real transport and counts what crosses it, so tests can assert how much a driver does. */
public final class CountingTransport implements Transport {

  private final Transport delegate;
  private final AtomicInteger execs = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();

  public CountingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  public int execs() {
    return execs.get();
  }

  public int writes() {
    return writes.get();
  }

  /** Commands, reads and writes: each one a round trip to the host. */
  public int roundTrips() {
    return execs.get() + reads.get() + writes.get();
  }

  public void reset() {
    execs.set(0);
    reads.set(0);
    writes.set(0);
  }

  @Override
  public ExecResult exec(Command command) throws TransportException {
    execs.incrementAndGet();
    return delegate.exec(command);
  }

  /** Counted as one exec. */
  @Override
  public ExecResult stream(Command command, InputStream input, OutputStream output) throws TransportException {
    execs.incrementAndGet();
    return delegate.stream(command, input, output);
  }

  /** Not counted: a connection is not a command. */
  @Override
  public StreamConnection connect(String address, int port) throws TransportException {
    return delegate.connect(address, port);
  }

  @Override
  public Optional<byte[]> read(String path) throws TransportException {
    reads.incrementAndGet();
    return delegate.read(path);
  }

  @Override
  public void write(String path, byte[] content, FileAttributes attributes) throws TransportException {
    writes.incrementAndGet();
    delegate.write(path, content, attributes);
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
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

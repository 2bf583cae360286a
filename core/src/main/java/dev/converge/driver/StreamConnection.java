package dev.converge.driver;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A TCP connection opened from a host's point of view ({@link Transport#connect}): what a driver that speaks a
 * network protocol (DNS over TCP) uses, so that it reaches a daemon exactly where the host's own clients do.
 */
public interface StreamConnection extends AutoCloseable {

  InputStream input();

  OutputStream output();

  @Override
  void close();
}

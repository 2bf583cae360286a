package dev.converge.engine;

import dev.converge.driver.Endpoint;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;

/** A spec host as drivers see it: its name, platform, and the pooled transport to its endpoint. */
record HostTarget(String name, String platform, Endpoint endpoint, TransportPool pool) implements Target {

  @Override
  public Transport transport() throws TransportException {
    return pool.connect(endpoint);
  }
}

package dev.converge.driver;

/**
 * Opens transports of one scheme ({@code local}, {@code ssh}); found with {@link java.util.ServiceLoader}.
 */
public interface TransportProvider {

  String scheme();

  /**
   * Connects to {@code endpoint}. A jump host ({@code endpoint.via()}) is obtained from {@code connector}, which
   * hands out the run's shared transports, so a host that is both a target and a jump host has one connection.
   */
  Transport open(Endpoint endpoint, Connector connector) throws TransportException;

  /** The run's transport pool, as seen by a provider that needs another host's connection. */
  @FunctionalInterface
  interface Connector {
    Transport connect(Endpoint endpoint) throws TransportException;
  }
}

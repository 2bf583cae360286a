package dev.converge.driver;

/**
 * Where a driver's resources live: a host of the spec, reached through one shared {@link Transport}.
 */
public interface Target {

  /** The host's name in the spec. */
  String name();

  /** {@code linux} or {@code freebsd}: which commands the driver should speak. */
  String platform();

  /**
   * The host's transport, connected on first use and shared by every driver for the rest of the run; the engine
   * closes it.
   */
  Transport transport() throws TransportException;
}

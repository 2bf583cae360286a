package dev.converge.driver;

import dev.converge.resource.Resource;

/**
 * A driver capability of jail drivers: the resources of a jail (a zone its BIND serves, a file inside it) are reached
 * through a transport that runs commands and moves files inside the jail, over its host's transport.
 */
public interface Enterable {

  /**
   * A transport into {@code jail}, a resource of this driver on {@code host}: commands run inside the jail, paths
   * are the jail's own, and connections to the jail's loopback reach the jail's address. Closing it leaves the
   * host's transport open.
   */
  Transport enter(Target host, Resource jail) throws TransportException;
}

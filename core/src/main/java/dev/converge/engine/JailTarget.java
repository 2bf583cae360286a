package dev.converge.engine;

import dev.converge.driver.Driver;
import dev.converge.driver.Enterable;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.resource.Resource;

/**
 * A jail as drivers see it: resources inside it (a zone its BIND serves) are probed and changed through a transport
 * that its jail driver opens over the host's.
 */
record JailTarget(String name, String platform, Target host, Resource jail, Driver driver) implements Target {

  @Override
  public Transport transport() throws TransportException {
    if (!(driver instanceof Enterable enterable)) {
      throw new TransportException("the jail driver on " + platform + " cannot run commands inside jail `" + name
          + "`");
    }
    return enterable.enter(host, jail);
  }
}

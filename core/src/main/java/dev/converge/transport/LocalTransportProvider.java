package dev.converge.transport;

import dev.converge.driver.Endpoint;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.driver.TransportProvider;

/** Opens a {@link LocalTransport} for hosts with {@code transport: local}: the machine converge runs on. */
public final class LocalTransportProvider implements TransportProvider {

  @Override
  public String scheme() {
    return Endpoint.LOCAL;
  }

  /** Nothing to connect to, so this only fails for an endpoint with a jump host, which makes no sense here. */
  @Override
  public Transport open(Endpoint endpoint, Connector connector) throws TransportException {
    if (endpoint.via().isPresent()) {
      throw new TransportException("host `" + endpoint.host() + "` uses the local transport, which cannot go via "
          + endpoint.via().get().host());
    }
    return new LocalTransport();
  }
}

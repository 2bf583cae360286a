package dev.converge.ssh;

import dev.converge.driver.Endpoint;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.driver.TransportProvider;

/** Opens {@link SshTransport}s for endpoints of scheme {@code ssh}; registered with {@link java.util.ServiceLoader}. */
public final class SshTransportProvider implements TransportProvider {

  @Override
  public String scheme() {
    return Endpoint.SSH;
  }

  @Override
  public Transport open(Endpoint endpoint, Connector connector) throws TransportException {
    if (!endpoint.scheme().equals(Endpoint.SSH)) {
      throw new IllegalArgumentException("not an ssh endpoint: " + endpoint);
    }
    return SshTransport.connect(endpoint, connector);
  }
}

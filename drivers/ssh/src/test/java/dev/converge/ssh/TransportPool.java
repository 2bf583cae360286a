package dev.converge.ssh;

import dev.converge.driver.Endpoint;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.driver.TransportProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The run's shared transports as the engine will keep them: one per host, opened on first use, closed at the end. */
final class TransportPool implements TransportProvider.Connector, AutoCloseable {

  private final SshTransportProvider provider = new SshTransportProvider();
  private final Map<String, Transport> byHost = new LinkedHashMap<>();

  @Override
  public synchronized Transport connect(Endpoint endpoint) throws TransportException {
    Transport open = byHost.get(endpoint.host());
    if (open == null) {
      open = provider.open(endpoint, this);
      byHost.put(endpoint.host(), open);
    }
    return open;
  }

  @Override
  public synchronized void close() {
    List<Transport> all = new ArrayList<>(byHost.values());
    Collections.reverse(all);
    all.forEach(Transport::close);
    byHost.clear();
  }
}

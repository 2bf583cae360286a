package dev.converge.engine;

import dev.converge.driver.DriverRegistry;
import dev.converge.driver.Endpoint;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.driver.TransportProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transports of a run (or of a whole {@code watch}): at most one per host, opened on first use, shared by every
 * probe and action, reopened only when the endpoint changed or the connection died. Thread-safe; concurrent
 * first uses of the same host wait for one connection rather than opening several.
 */
public final class TransportPool implements TransportProvider.Connector, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TransportPool.class);

  private final DriverRegistry registry;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> opened = new ConcurrentHashMap<>();

  private static final class Slot {
    Endpoint endpoint;
    Transport transport;
  }

  public TransportPool(DriverRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Transport connect(Endpoint endpoint) throws TransportException {
    Slot slot = slots.computeIfAbsent(endpoint.host(), h -> new Slot());
    synchronized (slot) {
      if (slot.transport != null && slot.endpoint.equals(endpoint) && slot.transport.isOpen()) {
        return slot.transport;
      }
      if (slot.transport != null) {
        LOG.debug("reconnecting to {}", endpoint.host());
        slot.transport.close();
        slot.transport = null;
      }
      TransportProvider provider = registry.transport(endpoint.scheme()).orElseThrow(() -> new TransportException(
          "no transport `" + endpoint.scheme() + "` for host " + endpoint.host() + " (installed: "
              + registry.schemes() + ")"));
      slot.transport = provider.open(endpoint, this);
      slot.endpoint = endpoint;
      opened.computeIfAbsent(endpoint.host(), h -> new AtomicInteger()).incrementAndGet();
      return slot.transport;
    }
  }

  /** How many connections were opened per host since the pool was made: one each, unless a connection died. */
  public Map<String, Integer> connectionsOpened() {
    Map<String, Integer> out = new TreeMap<>();
    opened.forEach((h, n) -> out.put(h, n.get()));
    return out;
  }

  /** Closes and forgets the transports of hosts no longer in {@code keep} (a spec edit removed them). */
  public void retain(java.util.Set<String> keep) {
    for (Map.Entry<String, Slot> e : new HashMap<>(slots).entrySet()) {
      if (!keep.contains(e.getKey())) {
        synchronized (e.getValue()) {
          if (e.getValue().transport != null) {
            e.getValue().transport.close();
          }
        }
        slots.remove(e.getKey());
      }
    }
  }

  @Override
  public void close() {
    retain(java.util.Set.of());
  }
}

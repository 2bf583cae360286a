package dev.converge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.Command;
import dev.converge.driver.DriverRegistry;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.driver.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportPoolTest {

  /** A provider that counts opens and hands out transports the test can kill. */
  private static final class Counting implements TransportProvider {
    final List<Fake> opened = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public String scheme() {
      return "fake";
    }

    @Override
    public Transport open(Endpoint endpoint, Connector connector) {
      Fake f = new Fake();
      opened.add(f);
      return f;
    }
  }

  private static final class Fake implements Transport {
    volatile boolean open = true;

    @Override
    public ExecResult exec(Command command) {
      return new ExecResult(0, new byte[0], new byte[0]);
    }

    @Override
    public Optional<byte[]> read(String path) {
      return Optional.empty();
    }

    @Override
    public void write(String path, byte[] content, FileAttributes attributes) {}

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public String describe() {
      return "fake";
    }

    @Override
    public void close() {
      open = false;
    }
  }

  private final Counting provider = new Counting();
  private final TransportPool pool = new TransportPool(DriverRegistry.of(List.of(), List.of(provider)));

  private static Endpoint endpoint(String host) {
    Endpoint local = Endpoint.local(host);
    return new Endpoint(host, "fake", local.address(), 0, local.user(), Optional.empty(), local.knownHosts(),
        local.hostKeyPolicy(), Optional.empty(), local.connectTimeout(), local.commandTimeout(),
        local.keepAliveInterval(), local.keepAliveCountMax(), local.maxSessions());
  }

  @Test
  void concurrentFirstUsesOfAHostShareOneConnection() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Transport>> got = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      got.add(threads.submit(() -> {
        go.await();
        return pool.connect(endpoint("web"));
      }));
    }
    go.countDown();
    for (Future<Transport> f : got) {
      assertThat(f.get(5, TimeUnit.SECONDS)).isSameAs(provider.opened.get(0));
    }
    threads.shutdown();
    assertThat(pool.connectionsOpened()).isEqualTo(Map.of("web", 1));
  }

  @Test
  void aDeadConnectionIsReplacedOnNextUse() throws Exception {
    Transport first = pool.connect(endpoint("web"));
    ((Fake) first).open = false;

    Transport second = pool.connect(endpoint("web"));

    assertThat(second).isNotSameAs(first);
    assertThat(pool.connectionsOpened()).isEqualTo(Map.of("web", 2));
  }

  @Test
  void retainClosesTheTransportsOfHostsNoLongerInTheSpec() throws Exception {
    Fake web = (Fake) pool.connect(endpoint("web"));
    Fake db = (Fake) pool.connect(endpoint("db"));

    pool.retain(java.util.Set.of("web"));

    assertThat(web.open).isTrue();
    assertThat(db.open).isFalse();
  }

  @Test
  void anUnknownSchemeIsAClearError() {
    Endpoint ssh = Endpoint.ssh("h", "127.0.0.1", 22, "root", java.nio.file.Path.of("/k"), java.nio.file.Path.of("/kh"));
    assertThatThrownBy(() -> pool.connect(ssh)).isInstanceOf(TransportException.class)
        .hasMessage("no transport `ssh` for host h (installed: [fake])");
  }
}

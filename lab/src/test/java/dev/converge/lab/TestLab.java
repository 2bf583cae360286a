package dev.converge.lab;

import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.spec.Spec;
import dev.converge.spec.SpecLoader;
import dev.converge.ssh.SshTransportProvider;
import dev.converge.testing.CountingTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A lab for a driver test: a spec's hosts brought up from its text, each reached the way the engine reaches it (over
 * SSH, strict host keys, one counting transport per host), as a Linux target. Closing it takes everything down.
 */
public final class TestLab implements AutoCloseable {

  private final Lab lab;
  private final Map<String, CountingTransport> transports = new TreeMap<>();

  private TestLab(Lab lab) {
    this.lab = lab;
  }

  /** Writes {@code spec} to {@code dir/site.yaml}, brings its lab up (state under {@code dir}) and connects. */
  public static TestLab up(Path dir, String spec) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, spec);
    Spec loaded = SpecLoader.builder().build().load(file).spec();
    TestLab test = new TestLab(Lab.of(loaded, dir.resolve(".converge")));
    try {
      test.lab.up(line -> { });
      for (String host : loaded.hosts().keySet()) {
        test.transports.put(host, new CountingTransport(new SshTransportProvider()
            .open(test.lab.endpoints().of(loaded, host), via -> {
              throw new IllegalStateException("lab hosts need no jump host");
            })));
      }
      return test;
    } catch (Exception | Error e) {
      test.close();
      throw e;
    }
  }

  public Lab lab() {
    return lab;
  }

  public CountingTransport transport(String host) {
    return transports.get(host);
  }

  /** {@code host} as a driver sees it. */
  public Target target(String host) {
    CountingTransport transport = transports.get(host);
    return new Target() {
      @Override
      public String name() {
        return host;
      }

      @Override
      public String platform() {
        return "linux";
      }

      @Override
      public Transport transport() {
        return transport;
      }
    };
  }

  @Override
  public void close() {
    try {
      transports.values().forEach(CountingTransport::close);
    } finally {
      lab.down();
    }
  }
}

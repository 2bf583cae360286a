package dev.converge.bench;

import dev.converge.diff.Differ;
import dev.converge.dns.record.DnsRecordDriver;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.BindServer;
import dev.converge.transport.LocalTransport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The {@code dns-record} driver against a local BIND 9 started here, at the driver level (probe, diff, then the
 * engine's {@code Batching.applyAll} with every change at once): the first converge of N A records (time and UPDATE
 * messages) and the no-op converge after it (one AXFR; best and median of 5). Once in a cold JVM, once warmed up, each
 * on its own zone. Run: {@code bench/run dns [N]}. The figures go to the README, never into assertions.
 */
public final class DnsScale {

  private DnsScale() {}

  public static void main(String[] args) throws Exception {
    int n = args.length == 0 ? 1000 : Integer.parseInt(args[0]);
    try (BindServer bind = BindServer.serving("cold.bench", "warm.bench").start();
        LocalTransport transport = new LocalTransport()) {
      for (String zone : List.of("cold.bench", "warm.bench")) {
        run(bind, transport, zone, n);
      }
    }
  }

  private static void run(BindServer bind, Transport transport, String zone, int n) throws Exception {
    Target target = new Target() {
      @Override
      public String name() {
        return "ns";
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
    DnsRecordDriver driver = new DnsRecordDriver();
    Sensitive key = new Sensitive(bind.keyFileText().strip());
    List<Resource> records = IntStream.range(0, n).mapToObj(i -> Resource.present(
        ResourceId.of(DnsRecordDriver.KIND, "ns", "h" + i + "." + zone + "/A"),
        Properties.builder().put("zone", zone).put("server", bind.server()).put("key", key).put("ttl", 300L)
            .put("values", List.of("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255))).build(),
        Location.unknown())).toList();

    long start = System.nanoTime();
    int changed = converge(driver, target, records);
    long first = System.nanoTime() - start;
    long[] noOps = new long[5];
    for (int i = 0; i < noOps.length; i++) {
      long t = System.nanoTime();
      if (converge(driver, target, records) != 0) {
        throw new IllegalStateException("the no-op converge of " + zone + " found changes");
      }
      noOps[i] = System.nanoTime() - t;
    }
    Arrays.sort(noOps);
    System.out.printf("%s: first converge of %d A records: %d ms, %d changes in %d UPDATE messages;"
        + " no-op converge: best %d ms, median %d ms (5 runs)%n", zone, n, first / 1_000_000, changed,
        driver.updateMessagesSent(), noOps[0] / 1_000_000, noOps[2] / 1_000_000);
  }

  /** Probe, diff, and one {@code applyAll} of every change, as the engine does for a Batching driver. */
  private static int converge(DnsRecordDriver driver, Target target, List<Resource> desired) throws Exception {
    List<Observation> seen = driver.probe(target, desired);
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < desired.size(); i++) {
      Differ.diff(desired.get(i), seen.get(i), Set.of()).ifPresent(changes::add);
    }
    if (!changes.isEmpty()) {
      driver.applyAll(target, changes);
    }
    return changes.size();
  }
}

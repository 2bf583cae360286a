package dev.converge.bench;

import dev.converge.driver.DriverRegistry;
import dev.converge.engine.Engine;
import dev.converge.engine.RunReport;
import dev.converge.state.FileStateStore;
import dev.converge.state.LockRequest;
import dev.converge.state.StateStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Compile + probe + diff + plan of a synthetic site with the in-memory driver, timed over a few repetitions, with
 * the peak heap. Run: {@code java -Xmx1g -cp ... dev.converge.bench.EngineScale 10000 100000}. Prints one line per
 * size; the figures go to the README, never into assertions.
 */
public final class EngineScale {

  private EngineScale() {}

  public static void main(String[] args) throws Exception {
    int repetitions = Integer.getInteger("repetitions", 5);
    double drift = Double.parseDouble(System.getProperty("drift", "0.01"));
    for (String arg : args.length == 0 ? new String[] {"10000", "100000"} : args) {
      int n = Integer.parseInt(arg);
      Path dir = Files.createTempDirectory("converge-bench");
      SyntheticSite site = new SyntheticSite(n, drift, dir.resolve("site.yaml"));
      long best = Long.MAX_VALUE;
      long total = 0;
      int changes = 0;
      for (int i = 0; i < repetitions + 1; i++) {
        System.gc();
        resetPeaks();
        long start = System.nanoTime();
        try (Engine engine = Engine.builder(DriverRegistry.of(List.of(site.driver), List.of()))
                .environment(Map.of()).build();
            StateStore store = FileStateStore.open(dir.resolve(".converge"), "bench",
                new LockRequest(Duration.ZERO, "bench"))) {
          RunReport r = engine.plan(site.spec, store);
          changes = r.plan().changes().size();
        }
        long took = System.nanoTime() - start;
        if (i > 0) {
          best = Math.min(best, took);
          total += took;
        }
      }
      System.out.printf("%d resources (%d hosts, %d changes): best %d ms, mean %d ms over %d runs; peak heap %d MiB%n",
          n, site.spec.hosts().size(), changes, best / 1_000_000, total / repetitions / 1_000_000, repetitions,
          peakHeapMiB());
    }
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long peakHeapMiB() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / (1024 * 1024);
  }
}

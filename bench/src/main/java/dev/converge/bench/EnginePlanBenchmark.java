package dev.converge.bench;

import dev.converge.driver.DriverRegistry;
import dev.converge.engine.Engine;
import dev.converge.state.FileStateStore;
import dev.converge.state.LockRequest;
import dev.converge.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** JMH: compile + probe + diff + plan of a synthetic site with 1% drift, in-memory driver. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class EnginePlanBenchmark {

  @Param({"10000", "100000"})
  int resources;

  private SyntheticSite site;
  private Path dir;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("converge-jmh");
    site = new SyntheticSite(resources, 0.01, dir.resolve("site.yaml"));
  }

  @Benchmark
  public int plan() throws Exception {
    try (Engine engine = Engine.builder(DriverRegistry.of(List.of(site.driver), List.of()))
            .environment(Map.of()).build();
        StateStore store = FileStateStore.open(dir.resolve(".converge"), "bench",
            new LockRequest(Duration.ZERO, "bench"))) {
      return engine.plan(site.spec, store).plan().changes().size();
    }
  }
}

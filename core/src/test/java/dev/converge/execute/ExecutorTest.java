package dev.converge.execute;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.graph.GraphBuilder;
import com.google.common.graph.MutableGraph;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExecutorTest {

  private final MutableGraph<ResourceId> graph = GraphBuilder.directed().build();

  private static ResourceId id(String target, String name) {
    return ResourceId.of("t", target, name);
  }

  private List<ResourceId> nodes(ResourceId... ids) {
    for (ResourceId i : ids) {
      graph.addNode(i);
    }
    return List.of(ids);
  }

  @Test
  void aFailureSkipsItsDependentsTransitivelyAndNothingElse() {
    ResourceId a = id("h", "a");
    ResourceId b = id("h", "b");
    ResourceId c = id("h", "c");
    ResourceId d = id("h", "d");
    List<ResourceId> order = nodes(a, b, c, d);
    graph.putEdge(a, b);
    graph.putEdge(b, c);

    Map<ResourceId, Outcome> out = new Executor(new Executor.Limits(4, 4)).run(graph, order, id -> {
      if (id.equals(a)) {
        throw new IllegalStateException("boom");
      }
    }, o -> { });

    assertThat(out.get(a).status()).isEqualTo(Outcome.Status.FAILED);
    assertThat(out.get(a).message()).isEqualTo("boom");
    assertThat(out.get(b).status()).isEqualTo(Outcome.Status.SKIPPED);
    assertThat(out.get(c).cause()).contains(a);
    assertThat(out.get(d).status()).isEqualTo(Outcome.Status.SUCCEEDED);
  }

  @Test
  void stepsWaitingForEachOthersReadinessHoldNoSlot() {
    ResourceId a = id("h", "a");
    ResourceId b = id("i", "b");
    ResourceId afterA = id("h", "after-a");
    List<ResourceId> order = nodes(a, b, afterA);
    graph.putEdge(a, afterA);
    CountDownLatch bothApplied = new CountDownLatch(2);
    List<ResourceId> started = Collections.synchronizedList(new ArrayList<>());

    // like two OSPF routers: neither is ready until both are configured; one slot in all
    Map<ResourceId, Outcome> out = new Executor(new Executor.Limits(1, 1)).run(graph, order, id -> {
      started.add(id);
      if (!id.equals(afterA)) {
        bothApplied.countDown();
      }
    }, id -> {
      if (!id.equals(afterA) && !bothApplied.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other router was never configured");
      }
    }, o -> { });

    assertThat(out.values()).allMatch(Outcome::succeeded);
    assertThat(started).as("a's dependent starts only once a is ready").endsWith(afterA);
  }

  @Test
  void aStepStartsOnlyAfterAllItsDependenciesSucceeded() {
    ResourceId a = id("h", "a");
    ResourceId b = id("i", "b");
    ResourceId c = id("j", "c");
    List<ResourceId> order = nodes(a, b, c);
    graph.putEdge(a, c);
    graph.putEdge(b, c);
    List<String> log = Collections.synchronizedList(new ArrayList<>());

    new Executor(new Executor.Limits(4, 4)).run(graph, order, id -> log.add(id.name()), o -> { });

    assertThat(log.indexOf("c")).isEqualTo(2);
  }

  @Test
  void parallelismIsBoundedGloballyAndPerTarget() {
    List<ResourceId> order = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      order.add(id(i < 8 ? "busy" : "quiet", "n" + i));
    }
    order.forEach(graph::addNode);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    Map<String, AtomicInteger> perTarget = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> peakPerTarget = new ConcurrentHashMap<>();
    CountDownLatch release = new CountDownLatch(1);
    Thread opener = new Thread(() -> {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 4);
      release.countDown();
    });
    opener.start();

    new Executor(new Executor.Limits(4, 2)).run(graph, order, id -> {
      int now = running.incrementAndGet();
      peak.accumulateAndGet(now, Math::max);
      int t = perTarget.computeIfAbsent(id.target(), k -> new AtomicInteger()).incrementAndGet();
      peakPerTarget.computeIfAbsent(id.target(), k -> new AtomicInteger()).accumulateAndGet(t, Math::max);
      try {
        release.await(5, TimeUnit.SECONDS);
      } finally {
        perTarget.get(id.target()).decrementAndGet();
        running.decrementAndGet();
      }
    }, o -> { });

    assertThat(peak.get()).isEqualTo(4);
    assertThat(peakPerTarget.get("busy").get()).isEqualTo(2);
    assertThat(peakPerTarget.get("quiet").get()).isEqualTo(2);
  }

  @Test
  void anInterruptLetsRunningStepsFinishAndSkipsTheRest() throws Exception {
    List<ResourceId> order = nodes(id("h", "first"), id("h", "second"));
    graph.putEdge(order.get(0), order.get(1));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Map<ResourceId, Outcome> result = new ConcurrentHashMap<>();
    Thread runner = new Thread(() -> result.putAll(new Executor(new Executor.Limits(2, 2)).run(graph, order, id -> {
      started.countDown();
      release.await(5, TimeUnit.SECONDS);
    }, o -> { })));
    runner.start();
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

    runner.interrupt();
    release.countDown();
    runner.join(5000);

    assertThat(result.get(order.get(0)).status()).isEqualTo(Outcome.Status.SUCCEEDED);
    assertThat(result.get(order.get(1)).status()).isEqualTo(Outcome.Status.SKIPPED);
    assertThat(result.get(order.get(1)).message()).contains("interrupted");
  }

  @Test
  void readyStepsOfOneBatchRunTogetherAndLaterOnesFormTheirOwnBatch() {
    ResourceId server = id("h", "server");
    ResourceId www = id("h", "www");
    ResourceId mail = id("h", "mail");
    ResourceId late = id("h", "late");
    ResourceId alone = id("h", "alone");
    List<ResourceId> order = nodes(server, www, mail, late, alone);
    graph.putEdge(server, www);
    graph.putEdge(server, mail);
    graph.putEdge(www, late);
    List<List<ResourceId>> batchesRun = Collections.synchronizedList(new ArrayList<>());
    List<ResourceId> singles = Collections.synchronizedList(new ArrayList<>());

    Map<ResourceId, Outcome> out = new Executor(new Executor.Limits(4, 4)).run(graph, order, singles::add,
        new Executor.Batches() {
          @Override
          public Object keyOf(ResourceId id) {
            return id.equals(server) || id.equals(alone) ? null : "records";
          }

          @Override
          public void run(List<ResourceId> ids) {
            batchesRun.add(List.copyOf(ids));
          }
        }, Executor.Wait.NONE, o -> { });

    assertThat(out.values()).allMatch(Outcome::succeeded);
    assertThat(singles).containsExactlyInAnyOrder(server, alone);
    assertThat(batchesRun).containsExactly(List.of(www, mail), List.of(late));
  }

  @Test
  void aFailedBatchFailsEveryStepInItAndSkipsTheirDependents() {
    ResourceId www = id("h", "www");
    ResourceId mail = id("h", "mail");
    ResourceId afterMail = id("h", "after-mail");
    List<ResourceId> order = nodes(www, mail, afterMail);
    graph.putEdge(mail, afterMail);

    Map<ResourceId, Outcome> out = new Executor(new Executor.Limits(4, 4)).run(graph, order, id -> { },
        new Executor.Batches() {
          @Override
          public Object keyOf(ResourceId id) {
            return id.equals(afterMail) ? null : "records";
          }

          @Override
          public void run(List<ResourceId> ids) {
            throw new IllegalStateException("UPDATE refused");
          }
        }, Executor.Wait.NONE, o -> { });

    assertThat(out.get(www).message()).isEqualTo("UPDATE refused");
    assertThat(out.get(mail).status()).isEqualTo(Outcome.Status.FAILED);
    assertThat(out.get(afterMail).status()).isEqualTo(Outcome.Status.SKIPPED);
  }
}

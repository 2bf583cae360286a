package dev.converge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.DriverRegistry;
import dev.converge.execute.Executor;
import dev.converge.execute.Outcome;
import dev.converge.memory.InMemoryDriver;
import dev.converge.plan.PlanJson;
import dev.converge.plan.PlanText;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Properties;
import dev.converge.resource.ResourceId;
import dev.converge.spec.GenericResource;
import dev.converge.spec.Host;
import dev.converge.spec.Location;
import dev.converge.spec.Reference;
import dev.converge.spec.Spec;
import dev.converge.state.FileStateStore;
import dev.converge.state.LockRequest;
import dev.converge.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine end to end over an in-memory driver: compile → probe → diff → plan → execute → verify, with a real
 * state store. The fake world lets each test inject failures, stalls and drift.
 */
class EngineTest {

  @TempDir Path dir;

  private final InMemoryDriver mem = new InMemoryDriver("mem", Set.of("image"));
  private final List<GenericResource> resources = new ArrayList<>();
  private final Map<String, Host> hosts = new LinkedHashMap<>();

  @BeforeEach
  void hosts() {
    hosts.put("a", Host.local("a"));
    hosts.put("b", Host.local("b"));
  }

  @AfterEach
  void noLeftoverActions() {
    assertThat(mem.running()).isZero();
  }

  /* ------------------------------------------------------------------ fixtures */

  private ResourceId id(String host, String name) {
    return ResourceId.of("mem", host, name);
  }

  private void resource(String host, String name, Map<String, Object> props, String... requires) {
    List<Reference> refs = new ArrayList<>();
    for (String r : requires) {
      refs.add(new Reference("mem", r, Location.unknown()));
    }
    resources.add(new GenericResource("mem", host, name, Location.unknown(), props, false, refs));
  }

  private Spec spec() {
    return Spec.of("test", hosts, List.of(), resources, dir.resolve("site.yaml"));
  }

  private Engine engine() {
    return engine(new Executor.Limits(8, 4));
  }

  private Engine engine(Executor.Limits limits) {
    return Engine.builder(DriverRegistry.of(List.of(mem), List.of())).limits(limits).environment(Map.of()).build();
  }

  private StateStore store() throws Exception {
    return FileStateStore.open(dir.resolve(".converge"), "test", new LockRequest(Duration.ZERO, "test"));
  }

  private RunReport apply() throws Exception {
    try (Engine e = engine(); StateStore s = store()) {
      return e.apply(spec(), s, Engine.Options.defaults());
    }
  }

  private RunReport plan() throws Exception {
    try (Engine e = engine(); StateStore s = store()) {
      return e.plan(spec(), s);
    }
  }

  private List<String> created() {
    return mem.journal().stream().filter(l -> l.startsWith("create ")).toList();
  }

  /* ------------------------------------------------------------------ converging */

  @Test
  void aFreshSiteIsCreatedThenTheSecondRunDoesNothing() throws Exception {
    resource("a", "one", Map.of("size", 1));
    resource("b", "two", Map.of("size", 2), "a:one");

    RunReport first = apply();
    assertThat(first.converged()).isTrue();
    assertThat(first.plan().summary()).isEqualTo("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete, 0 to move.");
    assertThat(mem.world()).containsEntry(id("b", "two"), Properties.of(Map.of("size", 2)));

    RunReport second = apply();
    assertThat(second.plan().isEmpty()).isTrue();
    assertThat(second.actions()).isEmpty();
    assertThat(second.converged()).isTrue();
  }

  @Test
  void dependenciesAreAppliedBeforeTheirDependents() throws Exception {
    resource("b", "web", Map.of("v", 1), "a:db", "b:cert");
    resource("a", "db", Map.of("v", 1));
    resource("b", "cert", Map.of("v", 1), "a:db");

    apply();

    assertThat(created()).containsExactly("create mem/a:db", "create mem/b:cert", "create mem/b:web");
  }

  @Test
  void anUpdateListsOnlyTheFieldsThatDiffer() throws Exception {
    resource("a", "one", Map.of("size", 2, "colour", "red"));
    mem.seed(id("a", "one"), Properties.of(Map.of("size", 1, "colour", "red")));

    RunReport r = plan();

    assertThat(r.plan().changes()).singleElement().satisfies(c -> {
      assertThat(c.type()).isEqualTo(ChangeType.UPDATE);
      assertThat(c.fields()).extracting(f -> f.field()).containsExactly("size");
    });
    assertThat(PlanText.plain().render(r.plan())).contains("~ update mem/a:one\n      size: 1 → 2\n");
  }

  @Test
  void anImmutableFieldChangeIsAReplaceWithItsReason() throws Exception {
    resource("a", "vm", Map.of("image", "new", "size", 1));
    mem.seed(id("a", "vm"), Properties.of(Map.of("image", "old", "size", 1)));

    RunReport r = plan();

    assertThat(PlanText.plain().render(r.plan()))
        .contains("-/+ replace mem/a:vm (because `image` cannot change in place)");
  }

  @Test
  void planningTwiceGivesByteIdenticalPlans() throws Exception {
    for (int i = 0; i < 50; i++) {
      resource(i % 2 == 0 ? "a" : "b", "r" + i, Map.of("i", i), i > 0 ? new String[] {"a:r0"} : new String[0]);
    }
    String text1 = PlanText.plain().render(plan().plan());
    String json1 = PlanJson.render(plan().plan(), dir.resolve("site.yaml"), dir);
    assertThat(PlanText.plain().render(plan().plan())).isEqualTo(text1);
    assertThat(PlanJson.render(plan().plan(), dir.resolve("site.yaml"), dir)).isEqualTo(json1);
  }

  /* ------------------------------------------------------------------ ownership and deletes */

  @Test
  void aResourceDroppedFromTheSpecIsDeletedOnlyIfConvergeCreatedIt() throws Exception {
    resource("a", "mine", Map.of("v", 1));
    resource("a", "theirs", Map.of("v", 1));
    mem.seed(id("a", "theirs"), Properties.of(Map.of("v", 1)));
    apply();

    resources.clear();
    RunReport r = apply();

    assertThat(r.plan().changes()).extracting(c -> c.type() + " " + c.id())
        .containsExactly("DELETE mem/a:mine");
    assertThat(r.plan().notes()).singleElement().asString()
        .contains("mem/a:theirs").contains("left in place because converge did not create it");
    assertThat(mem.world()).containsKey(id("a", "theirs")).doesNotContainKey(id("a", "mine"));
    assertThat(apply().plan().isEmpty()).isTrue();
  }

  @Test
  void deletesRunDependentsFirst() throws Exception {
    resource("a", "base", Map.of("v", 1));
    resource("a", "middle", Map.of("v", 1), "a:base");
    resource("a", "top", Map.of("v", 1), "a:middle");
    apply();

    resources.clear();
    apply();

    assertThat(mem.journal()).filteredOn(l -> l.startsWith("delete "))
        .containsExactly("delete mem/a:top", "delete mem/a:middle", "delete mem/a:base");
  }

  @Test
  void aResourceThatUsedADeletedOneIsReadyOnlyOnceTheDeletionIsDone() throws Exception {
    resource("a", "loopback", Map.of("v", 1));
    resource("a", "router", Map.of("v", 1), "a:loopback");
    apply();

    resources.clear();
    resource("a", "router", Map.of("v", 2));
    RunReport r = apply();

    assertThat(r.converged()).isTrue();
    List<String> j = mem.journal();
    assertThat(j.subList(j.indexOf("update mem/a:router"), j.size()))
        .as("the router stops using the loopback first, and is checked again once the loopback is gone")
        .containsExactly("update mem/a:router", "ready mem/a:router", "delete mem/a:loopback", "ready mem/a:router");
  }

  @Test
  void aResourceNotReadyOnceWhatItUsedIsDeletedIsReported() throws Exception {
    resource("a", "loopback", Map.of("v", 1));
    resource("a", "router", Map.of("v", 1), "a:loopback");
    apply();
    resources.clear();
    resource("a", "router", Map.of("v", 2));
    mem.readinessTimeout(Duration.ofMillis(200));
    mem.readyOnlyWhile(id("a", "router"), id("a", "loopback"));

    RunReport r = apply();

    assertThat(r.converged()).isFalse();
    assertThat(r.notReady()).singleElement().satisfies(o -> {
      assertThat(o.id()).isEqualTo(id("a", "router"));
      assertThat(o.message()).contains("waiting for mem/a:loopback to exist");
    });
  }

  /* ------------------------------------------------------------------ --limit */

  @Test
  void pausedHostsAreNeitherProbedNorChangedAndTheRunConverges() throws Exception {
    resource("a", "one", Map.of("v", 1));
    resource("b", "two", Map.of("v", 1));

    RunReport r;
    try (Engine e = engine(); StateStore s = store()) {
      r = e.apply(spec(), s, Engine.Options.defaults().pausing(Set.of("b")));
    }

    assertThat(r.converged()).isTrue();
    assertThat(r.plan().changes()).extracting(c -> c.id().toString()).containsExactly("mem/a:one");
    assertThat(mem.probes("b")).isZero();
    assertThat(mem.world()).containsKey(id("a", "one")).doesNotContainKey(id("b", "two"));
    try (Engine e = engine(); StateStore s = store()) {
      assertThat(e.plan(spec(), s, Engine.Options.defaults().pausing(Set.of("a"))).plan().changes())
          .extracting(c -> c.id().toString()).containsExactly("mem/b:two");
    }
  }

  /* ------------------------------------------------------------------ failures */

  @Test
  void aFailedActionSkipsOnlyItsDependents() throws Exception {
    resource("a", "broken", Map.of("v", 1));
    resource("a", "needs-broken", Map.of("v", 1), "a:broken");
    resource("a", "needs-that", Map.of("v", 1), "a:needs-broken");
    resource("b", "independent", Map.of("v", 1));
    mem.failApply(id("a", "broken"));

    RunReport r = apply();

    assertThat(r.converged()).isFalse();
    Map<String, String> results = new LinkedHashMap<>();
    r.actions().forEach(a -> results.put(a.change().id().name(), a.outcome().status() + " " + a.outcome().message()));
    assertThat(results).containsEntry("broken", "FAILED apply of mem/a:broken failed (injected)")
        .containsEntry("needs-broken", "SKIPPED skipped because mem/a:broken failed")
        .containsEntry("needs-that", "SKIPPED skipped because mem/a:broken failed")
        .containsEntry("independent", "SUCCEEDED ");
    assertThat(mem.world()).containsKey(id("b", "independent"));
  }

  @Test
  void anUnreachableHostLeavesItsResourcesUnknownAndTheRestConverges() throws Exception {
    resource("a", "one", Map.of("v", 1));
    resource("b", "two", Map.of("v", 1));
    resource("b", "three", Map.of("v", 1), "a:one");
    mem.failProbe("a");

    RunReport r = apply();

    assertThat(r.probeFailures()).singleElement().satisfies(f -> {
      assertThat(f.target()).isEqualTo("a");
      assertThat(f.message()).contains("unreachable");
    });
    assertThat(r.actions()).extracting(a -> a.change().id().name() + " " + a.outcome().status())
        .containsExactlyInAnyOrder("two SUCCEEDED", "three SKIPPED");
    assertThat(r.converged()).isFalse();
  }

  @Test
  void resourcesThatCanBeProbedOnlyOnceTheirDependencyExists_areProbedAgainAfterItAndConverge() throws Exception {
    resource("a", "server", Map.of("v", 1));
    resource("b", "record", Map.of("v", 1), "a:server");
    mem.failProbeUntilCreated("b", id("a", "server"));

    RunReport planned = plan();
    assertThat(planned.probeFailures()).as("a plan names what it cannot know yet, without failing").isEmpty();
    assertThat(planned.plan().notes()).anySatisfy(n -> assertThat(n)
        .startsWith("1 mem resource(s) on b can be probed only once what they depend on is applied"));

    RunReport r = apply();

    assertThat(r.probeFailures()).isEmpty();
    assertThat(created()).containsExactly("create mem/a:server", "create mem/b:record");
    assertThat(r.converged()).isTrue();
    assertThat(r.plan().notes()).as("the run probed them after all: nothing left to say")
        .noneMatch(n -> n.contains("can be probed only once"));
  }

  @Test
  void aResourceThatCouldNotBeProbedYet_isNotAwaitedBeforeItExists_butCreatedInTheNextRound() throws Exception {
    resource("a", "jail", Map.of("v", 1));
    resource("b", "zone", Map.of("v", 1), "a:jail");
    resource("b", "resolv", Map.of("v", 1), "b:zone");
    mem.failProbeUntilCreated("b", id("a", "jail"));
    mem.readyOnlyWhile(id("b", "zone"), id("b", "zone"));
    mem.readinessTimeout(Duration.ofMillis(300));

    RunReport r = apply();

    assertThat(r.actions()).extracting(a -> a.round() + " " + a.change().id().name() + " " + a.outcome().status())
        .containsExactly("1 jail SUCCEEDED", "2 zone SUCCEEDED", "2 resolv SUCCEEDED");
    assertThat(r.converged()).isTrue();
  }

  @Test
  void aProbeThatFailsAgainAfterARound_whileWhatItWaitsOnIsStillComing_isNotReported() throws Exception {
    hosts.put("c", Host.local("c"));
    resource("a", "jail", Map.of("v", 1));
    resource("b", "zone", Map.of("v", 1), "a:jail");
    resource("c", "record", Map.of("v", 1), "b:zone");
    mem.failProbeUntilCreated("b", id("a", "jail"));
    mem.failProbeUntilCreated("c", id("b", "zone"));

    RunReport r = apply();

    assertThat(r.probeFailures()).as("the record's probe failed after round 1, then worked").isEmpty();
    assertThat(r.actions()).extracting(a -> a.round() + " " + a.change().id().name())
        .containsExactly("1 jail", "2 zone", "3 record");
    assertThat(r.converged()).isTrue();
  }

  @Test
  void aDeferredProbeThatStillFailsAfterItsDependencyIsApplied_isReported() throws Exception {
    resource("a", "server", Map.of("v", 1));
    resource("b", "record", Map.of("v", 1), "a:server");
    mem.failProbeUntilCreated("b", id("a", "server"));
    mem.failApply(id("a", "server"));

    RunReport r = apply();

    assertThat(r.probeFailures()).singleElement().satisfies(f -> assertThat(f.target()).isEqualTo("b"));
    assertThat(r.converged()).isFalse();
  }

  @Test
  void aResourceThatStillDiffersAfterItsActionIsReportedNamingTheField() throws Exception {
    resource("a", "stubborn", Map.of("mode", "0644", "v", 1));
    mem.ignoreField(id("a", "stubborn"), "mode");

    RunReport r = apply();

    assertThat(r.notConverging()).singleElement().satisfies(nc -> {
      assertThat(nc.id()).isEqualTo(id("a", "stubborn"));
      assertThat(nc.fields()).containsExactly("mode");
      assertThat(nc.message()).isEqualTo("mem/a:stubborn does not converge: `mode` still differs after its action");
    });
    assertThat(r.converged()).isFalse();
  }

  /* ------------------------------------------------------------------ readiness */

  @Test
  void dependentsWaitUntilTheirDependencyIsReady() throws Exception {
    resource("a", "router", Map.of("v", 1));
    resource("b", "route-user", Map.of("v", 1), "a:router");
    mem.notReadyFor(id("a", "router"), 3);

    RunReport r = apply();

    assertThat(r.converged()).isTrue();
    List<String> j = mem.journal();
    assertThat(j.indexOf("ready mem/a:router")).isLessThan(j.indexOf("create mem/b:route-user"));
  }

  @Test
  void aResourceNeverReadyFailsAfterItsDeadlineAndSkipsDependents() throws Exception {
    resource("a", "router", Map.of("v", 1));
    resource("b", "route-user", Map.of("v", 1), "a:router");
    mem.notReadyFor(id("a", "router"), Integer.MAX_VALUE);
    mem.readinessTimeout(Duration.ofMillis(300));

    RunReport r = apply();

    assertThat(r.actions()).extracting(a -> a.change().id().name() + " " + a.outcome().status())
        .containsExactly("router FAILED", "route-user SKIPPED");
    assertThat(r.actions().get(0).outcome().message())
        .isEqualTo("not ready after 0s: waiting for mem/a:router to come up");
  }

  @Test
  void anUnchangedResourceDownstreamThatNeverBecomesReadyIsReportedAndItsDependentsSkipped() throws Exception {
    resource("a", "config", Map.of("v", 2));
    resource("a", "daemon", Map.of("v", 1), "a:config");
    resource("a", "client", Map.of("v", 1), "a:daemon");
    mem.seed(id("a", "config"), Properties.of(Map.of("v", 1)));
    mem.seed(id("a", "daemon"), Properties.of(Map.of("v", 1)));
    mem.notReadyFor(id("a", "daemon"), Integer.MAX_VALUE);
    mem.readinessTimeout(Duration.ofMillis(200));

    RunReport r = apply();

    assertThat(r.notReady()).singleElement().satisfies(o -> {
      assertThat(o.id()).isEqualTo(id("a", "daemon"));
      assertThat(o.message()).contains("waiting for mem/a:daemon to come up");
    });
    assertThat(r.actions()).extracting(a -> a.change().id().name() + " " + a.outcome().status())
        .containsExactly("config SUCCEEDED", "client SKIPPED");
    assertThat(r.converged()).isFalse();
  }

  /* ------------------------------------------------------------------ parallelism */

  @Test
  void independentActionsRunInParallelWithinTheLimits() throws Exception {
    for (int i = 0; i < 6; i++) {
      resource("a", "a" + i, Map.of("v", 1));
      resource("b", "b" + i, Map.of("v", 1));
    }
    CountDownLatch gate = new CountDownLatch(1);
    mem.gate(gate);
    Thread opener = new Thread(() -> {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> mem.running() == 5);
      gate.countDown();
    });
    opener.start();

    try (Engine e = engine(new Executor.Limits(5, 3)); StateStore s = store()) {
      RunReport r = e.apply(spec(), s, Engine.Options.defaults());
      assertThat(r.converged()).isTrue();
    }
    opener.join();
    assertThat(mem.maxRunning()).isEqualTo(5);
    assertThat(mem.maxRunningOn("a")).isLessThanOrEqualTo(3);
    assertThat(mem.maxRunningOn("b")).isLessThanOrEqualTo(3);
  }

  @Test
  void probesAreBatchedOncePerTargetAndDriver() throws Exception {
    for (int i = 0; i < 40; i++) {
      resource(i % 2 == 0 ? "a" : "b", "r" + i, Map.of("v", 1));
    }
    apply();
    int before = mem.probesTotal();

    apply();

    assertThat(mem.probesTotal() - before).isEqualTo(2);
  }

  /* ------------------------------------------------------------------ rounds */

  @Test
  void anActionThatUpsetsADependentIsFixedInTheNextRound() throws Exception {
    resource("a", "config", Map.of("v", 2));
    resource("a", "service", Map.of("running", true), "a:config");
    mem.seed(id("a", "config"), Properties.of(Map.of("v", 1)));
    mem.seed(id("a", "service"), Properties.of(Map.of("running", true)));
    mem.sideEffect(id("a", "config"), id("a", "service"), Properties.of(Map.of("running", false)));

    RunReport r = apply();

    assertThat(r.converged()).isTrue();
    assertThat(r.rounds()).isEqualTo(2);
    assertThat(mem.world().get(id("a", "service"))).isEqualTo(Properties.of(Map.of("running", true)));
  }

  /* ------------------------------------------------------------------ moves and saved plans */

  @Test
  void aResourceWhoseTargetChangesIsMovedNotRecreated() throws Exception {
    resource("a", "web", Map.of("v", 1));
    apply();

    resources.clear();
    resource("b", "web", Map.of("v", 1));
    RunReport r = apply();

    assertThat(r.plan().changes()).singleElement().satisfies(c -> {
      assertThat(c.type()).isEqualTo(ChangeType.MOVE);
      assertThat(PlanText.title(c)).isEqualTo("mem/web a → b");
    });
    assertThat(mem.journal()).contains("move mem/web a → b").doesNotContain("delete mem/a:web");
    assertThat(apply().plan().isEmpty()).isTrue();
  }

  @Test
  void whatAMovedResourceUsedOnItsOldTarget_isDeletedOnlyAfterTheMove() throws Exception {
    resource("a", "image", Map.of("v", 1));
    resource("a", "web", Map.of("v", 1), "a:image");
    apply();

    resources.clear();
    resource("b", "other-image", Map.of("v", 1));
    resource("b", "web", Map.of("v", 1), "b:other-image");
    RunReport r = apply();

    assertThat(r.plan().dependencies().successors(id("b", "web"))).as("the old image waits for the move")
        .contains(id("a", "image"));
    assertThat(mem.journal()).containsSubsequence("move mem/web a → b", "delete mem/a:image");
    assertThat(r.converged()).isTrue();
  }

  @Test
  void aSavedPlanIsRefusedWhenTheHostChangedSince() throws Exception {
    resource("a", "one", Map.of("v", 2));
    mem.seed(id("a", "one"), Properties.of(Map.of("v", 1)));
    PlanJson.Saved saved = PlanJson.read(
        PlanJson.render(plan().plan(), dir.resolve("site.yaml"), dir).getBytes(java.nio.charset.StandardCharsets.UTF_8));

    mem.seed(id("a", "one"), Properties.of(Map.of("v", 3)));

    try (Engine e = engine(); StateStore s = store()) {
      assertThatThrownBy(() -> e.apply(spec(), s, Engine.Options.applying(saved)))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("the saved plan is stale")
          .hasMessageContaining("mem/a:one: its actual or desired state changed since the plan was made");
    }
    assertThat(mem.world().get(id("a", "one"))).isEqualTo(Properties.of(Map.of("v", 3)));
  }

  @Test
  void anUnchangedSavedPlanIsApplied() throws Exception {
    resource("a", "one", Map.of("v", 2));
    PlanJson.Saved saved = PlanJson.read(
        PlanJson.render(plan().plan(), dir.resolve("site.yaml"), dir).getBytes(java.nio.charset.StandardCharsets.UTF_8));

    try (Engine e = engine(); StateStore s = store()) {
      RunReport r = e.apply(spec(), s, Engine.Options.applying(saved));
      assertThat(r.converged()).isTrue();
      assertThat(r.actions()).extracting(a -> a.outcome().status()).containsExactly(Outcome.Status.SUCCEEDED);
    }
  }

  @Test
  void aMissingDriverStopsTheRunNamingKindAndPlatform() {
    resources.add(new GenericResource("nope", "a", "x", Location.unknown(), Map.of(), false, List.of()));

    assertThatThrownBy(this::plan).isInstanceOf(EngineException.class)
        .hasMessageStartingWith("no driver for resource kind `nope` on linux (needed by nope/a:x)");
  }
}

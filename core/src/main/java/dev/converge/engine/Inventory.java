package dev.converge.engine;

import dev.converge.graph.DesiredGraph;
import dev.converge.plan.Plan;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.state.Ownership;
import dev.converge.state.State;
import dev.converge.state.StateException;
import dev.converge.state.StateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run learns about ownership, written to state as it goes: resources converge creates are recorded as created
 * (so it may delete them once the spec drops them), resources it finds already right are recorded as managed but
 * not created, deletions are forgotten. Written at most once a second while actions complete (so a crash loses
 * little) and once at the end. Thread-safe: actions complete on worker threads.
 */
final class Inventory {

  private static final Logger LOG = LoggerFactory.getLogger(Inventory.class);
  private static final long CHECKPOINT_NANOS = 1_000_000_000L;

  private final StateStore store;
  private final boolean writable;
  private State state;
  private boolean dirty;
  private long lastWrite = System.nanoTime();

  Inventory(StateStore store, State state, boolean writable) {
    this.store = store;
    this.state = state;
    this.writable = writable;
  }

  /**
   * Desired resources observed present and needing no change are managed from now on (created flag kept); desired
   * absent ones and deletions observed already gone are forgotten.
   */
  synchronized void recordInSync(DesiredGraph graph, List<Resource> deletions, Map<ResourceId, Observation> observed,
      Plan plan) {
    Set<ResourceId> changing = new HashSet<>();
    plan.changes().forEach(c -> changing.add(c.id()));
    List<Ownership> keep = new ArrayList<>();
    List<ResourceId> forget = new ArrayList<>();
    Instant now = Instant.now();
    for (Resource r : graph.resources().values()) {
      Observation o = observed.get(r.id());
      if (o == null || changing.contains(r.id())) {
        continue;
      }
      if (r.isPresent() && o.isPresent()) {
        Ownership before = state.resources().get(r.id());
        TreeSet<ResourceId> requires = new TreeSet<>(graph.dependenciesOf(r.id()));
        if (before == null || !before.requires().equals(requires)) {
          keep.add(new Ownership(r.id(), before != null && before.created(), requires,
              before != null ? before.since() : now));
        }
      } else if (!r.isPresent() && !o.isPresent() && state.resources().containsKey(r.id())) {
        forget.add(r.id());
      }
    }
    for (Resource d : deletions) {
      Observation o = observed.get(d.id());
      if (o != null && !o.isPresent()) {
        forget.add(d.id());
      }
    }
    if (!keep.isEmpty() || !forget.isEmpty()) {
      state = state.withResources(keep).withoutResources(forget);
      dirty = true;
    }
  }

  /** Recorded resources that converge did not create and the spec no longer has are no longer managed. */
  synchronized void forgetUnowned(DesiredGraph graph, Set<String> hosts) {
    List<ResourceId> forget = state.resources().values().stream()
        .filter(o -> !o.created() && graph.resource(o.id()).isEmpty() && hosts.contains(o.id().target()))
        .map(Ownership::id)
        .toList();
    if (!forget.isEmpty()) {
      state = state.withoutResources(forget);
      dirty = true;
    }
  }

  synchronized void setAllocations(SortedMap<String, SortedMap<String, String>> allocations) {
    if (!state.allocations().equals(allocations)) {
      state = new State(state.lineage(), state.serial(), state.site(), state.resources(), allocations);
      dirty = true;
    }
  }

  /** Records the effect of a successful action; checkpoints to disk if the last write is a second old. */
  synchronized void applied(Change change, Set<ResourceId> requires) {
    ResourceId id = change.id();
    Ownership before = state.resources().get(id);
    Instant now = Instant.now();
    switch (change.type()) {
      case CREATE -> state = state.withResource(new Ownership(id, true, new TreeSet<>(requires), now));
      case UPDATE, REPLACE -> {
        if (change.desired().isPresent()) {
          state = state.withResource(new Ownership(id, before != null && before.created(), new TreeSet<>(requires),
              before != null ? before.since() : now));
        } else {
          state = state.withoutResource(id);
        }
      }
      case DELETE -> state = state.withoutResource(id);
      case MOVE -> {
        ResourceId from = new ResourceId(id.kind(), change.fromTarget().orElseThrow(), id.name());
        state = state.withoutResource(from).withResource(new Ownership(id, true, new TreeSet<>(requires), now));
      }
    }
    dirty = true;
    if (System.nanoTime() - lastWrite > CHECKPOINT_NANOS) {
      try {
        flush();
      } catch (StateException e) {
        LOG.warn("could not checkpoint state, will retry at the end of the run: {}", e.getMessage());
      }
    }
  }

  /** Writes the state if anything changed since the last write. */
  synchronized void flush() throws StateException {
    if (!writable || !dirty) {
      return;
    }
    store.write(state);
    state = store.read();
    dirty = false;
    lastWrite = System.nanoTime();
  }
}

package dev.converge.execute;

import com.google.common.graph.Graph;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs steps in dependency order: a step starts once every step it depends on succeeded; independent branches run in
 * parallel, at most {@code parallelism} at once and at most {@code perTarget} on one target; a failed step skips only
 * its dependents (transitively), everything else proceeds. Dispatch order among ready steps follows the given order,
 * so runs are reproducible.
 *
 * <p>A step may be followed by a wait (for readiness) that gates its dependents but holds no slot: routers that only
 * become ready together, such as OSPF neighbours, must all be configured while the first ones wait.
 */
public final class Executor {

  /** Bounds on parallelism: in total, and per target (host). */
  public record Limits(int parallelism, int perTarget) {
    public Limits {
      if (parallelism < 1 || perTarget < 1) {
        throw new IllegalArgumentException("limits must be ≥ 1");
      }
    }

    public static Limits defaults() {
      return new Limits(16, 4);
    }
  }

  /** One unit of work; throwing fails the step with the exception's message. */
  @FunctionalInterface
  public interface Step {
    void run(ResourceId id) throws Exception;
  }

  /** What a step waits for once its work is done, outside the limits; throwing fails the step. */
  @FunctionalInterface
  public interface Wait {
    Wait NONE = id -> { };

    void await(ResourceId id) throws Exception;
  }

  /**
   * Steps that run as one: ready steps with the same key are dispatched together in one slot (a DNS zone's record
   * changes in one UPDATE), and each is then waited for on its own. Steps whose key is null run alone.
   */
  public interface Batches {
    Batches NONE = new Batches() {
      @Override
      public Object keyOf(ResourceId id) {
        return null;
      }

      @Override
      public void run(List<ResourceId> ids) {
        throw new IllegalStateException("no batches");
      }
    };

    /** The batch {@code id} belongs to, or null. */
    Object keyOf(ResourceId id);

    /** Runs the steps of one batch (all of one key); throwing fails all of them. */
    void run(List<ResourceId> ids) throws Exception;
  }

  private final Limits limits;

  public Executor(Limits limits) {
    this.limits = limits;
  }

  /**
   * Runs {@code steps} (in {@code order}, which must be a topological order of {@code dependencies} restricted to
   * them). Dependencies outside {@code steps} count as done. Returns every step's outcome in {@code order};
   * {@code progress} sees each as it completes. An interrupt stops dispatching; steps not started are skipped.
   */
  public Map<ResourceId, Outcome> run(Graph<ResourceId> dependencies, List<ResourceId> order, Step step,
      Consumer<Outcome> progress) {
    return run(dependencies, order, step, Wait.NONE, progress);
  }

  /** As {@link #run(Graph, List, Step, Consumer)}, each successful step followed by {@code wait} outside the limits. */
  public Map<ResourceId, Outcome> run(Graph<ResourceId> dependencies, List<ResourceId> order, Step step, Wait wait,
      Consumer<Outcome> progress) {
    return run(dependencies, order, step, Batches.NONE, wait, progress);
  }

  /** As {@link #run(Graph, List, Step, Wait, Consumer)}, ready steps of one batch dispatched together. */
  public Map<ResourceId, Outcome> run(Graph<ResourceId> dependencies, List<ResourceId> order, Step step,
      Batches batches, Wait wait, Consumer<Outcome> progress) {
    return new Run(dependencies, order, step, batches, wait, progress).execute();
  }

  private final class Run {
    private final Graph<ResourceId> graph;
    private final List<ResourceId> order;
    private final Step step;
    private final Batches batches;
    private final Wait wait;
    private final Consumer<Outcome> progress;
    private final Set<ResourceId> members;
    private final Map<ResourceId, Integer> rank = new HashMap<>();
    private final Map<ResourceId, Integer> waitingOn = new HashMap<>();
    private final Map<ResourceId, Outcome> outcomes = new HashMap<>();
    private final PriorityQueue<ResourceId> ready;
    private final Map<String, Integer> runningPerTarget = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int running;
    private int waiting;

    Run(Graph<ResourceId> graph, List<ResourceId> order, Step step, Batches batches, Wait wait,
        Consumer<Outcome> progress) {
      this.graph = graph;
      this.order = order;
      this.step = step;
      this.batches = batches;
      this.wait = wait;
      this.progress = progress;
      this.members = new HashSet<>(order);
      for (int i = 0; i < order.size(); i++) {
        rank.put(order.get(i), i);
      }
      this.ready = new PriorityQueue<>((a, b) -> Integer.compare(rank.get(a), rank.get(b)));
      for (ResourceId id : order) {
        int n = (int) predecessors(id).stream().filter(members::contains).count();
        waitingOn.put(id, n);
        if (n == 0) {
          ready.add(id);
        }
      }
    }

    private Set<ResourceId> predecessors(ResourceId id) {
      return graph.nodes().contains(id) ? graph.predecessors(id) : Set.of();
    }

    private Set<ResourceId> successors(ResourceId id) {
      return graph.nodes().contains(id) ? graph.successors(id) : Set.of();
    }

    Map<ResourceId, Outcome> execute() {
      if (order.isEmpty()) {
        return Map.of();
      }
      AtomicInteger threadNumber = new AtomicInteger();
      // not a fixed pool: threads that wait for readiness hold no slot, and the slot bound is kept by dispatch()
      ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "converge-apply-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      boolean interrupted = false;
      lock.lock();
      try {
        while (outcomes.size() < order.size()) {
          // await() may return on a signal with the interrupt still pending: look before dispatching more
          interrupted |= Thread.interrupted();
          if (!interrupted) {
            dispatch(pool);
          }
          if (running == 0 && waiting == 0 && (interrupted || ready.isEmpty())) {
            skipRemaining(interrupted ? "interrupted before it started" : "never became ready");
            break;
          }
          try {
            changed.await();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      } finally {
        lock.unlock();
        pool.shutdown();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      Map<ResourceId, Outcome> inOrder = new LinkedHashMap<>();
      order.forEach(id -> inOrder.put(id, outcomes.get(id)));
      return inOrder;
    }

    /** Starts every ready step that the limits allow; skipped-over steps wait for a free slot on their target. */
    private void dispatch(ExecutorService pool) {
      Deque<ResourceId> deferred = new ArrayDeque<>();
      while (running < limits.parallelism() && !ready.isEmpty()) {
        ResourceId id = ready.poll();
        if (runningPerTarget.getOrDefault(id.target(), 0) >= limits.perTarget()) {
          deferred.add(id);
          continue;
        }
        List<ResourceId> group = batchOf(id);
        running++;
        runningPerTarget.merge(id.target(), 1, Integer::sum);
        pool.execute(() -> runSteps(id.target(), group));
      }
      ready.addAll(deferred);
    }

    /** {@code first} and every ready step of its batch, taken off the ready queue. */
    private List<ResourceId> batchOf(ResourceId first) {
      Object key = batches.keyOf(first);
      if (key == null) {
        return List.of(first);
      }
      List<ResourceId> group = new ArrayList<>();
      group.add(first);
      for (Iterator<ResourceId> it = ready.iterator(); it.hasNext(); ) {
        ResourceId other = it.next();
        if (key.equals(batches.keyOf(other))) {
          group.add(other);
          it.remove();
        }
      }
      group.sort(Comparator.comparing(rank::get));
      return group;
    }

    private void runSteps(String target, List<ResourceId> group) {
      long start = System.nanoTime();
      Throwable failure = null;
      try {
        if (group.size() == 1 && batches.keyOf(group.get(0)) == null) {
          step.run(group.get(0));
        } else {
          batches.run(group);
        }
      } catch (Exception | LinkageError e) {
        failure = e;
      }
      release(target, group.size());
      for (ResourceId id : group) {
        Outcome outcome;
        if (failure != null) {
          outcome = failed(id, failure, start);
        } else {
          try {
            wait.await(id);
            outcome = Outcome.succeeded(id, Duration.ofNanos(System.nanoTime() - start));
          } catch (Exception | LinkageError e) {
            outcome = failed(id, e, start);
          }
        }
        complete(outcome);
      }
    }

    private Outcome failed(ResourceId id, Throwable e, long start) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return Outcome.failed(id, message, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Frees a slot once its steps' work is done, before their waits. */
    private void release(String target, int steps) {
      lock.lock();
      try {
        running--;
        waiting += steps;
        runningPerTarget.merge(target, -1, Integer::sum);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    private void complete(Outcome outcome) {
      lock.lock();
      try {
        waiting--;
        record(outcome);
        if (outcome.succeeded()) {
          for (ResourceId s : successors(outcome.id())) {
            if (members.contains(s) && !outcomes.containsKey(s) && waitingOn.merge(s, -1, Integer::sum) == 0) {
              ready.add(s);
            }
          }
        } else {
          skipDownstream(outcome.id());
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    private void skipDownstream(ResourceId failed) {
      Deque<ResourceId> todo = new ArrayDeque<>(successors(failed));
      while (!todo.isEmpty()) {
        ResourceId s = todo.poll();
        if (!members.contains(s) || outcomes.containsKey(s)) {
          continue;
        }
        ResourceId cause = outcomes.get(failed).cause().orElse(failed);
        ready.remove(s);
        record(Outcome.skipped(s, cause, "skipped because " + cause + " failed"));
        todo.addAll(successors(s));
      }
    }

    private void skipRemaining(String why) {
      for (ResourceId id : order) {
        if (!outcomes.containsKey(id)) {
          record(new Outcome(id, Outcome.Status.SKIPPED, "skipped: " + why, java.util.Optional.empty(),
              Duration.ZERO));
        }
      }
    }

    private void record(Outcome outcome) {
      outcomes.put(outcome.id(), outcome);
      progress.accept(outcome);
    }
  }
}

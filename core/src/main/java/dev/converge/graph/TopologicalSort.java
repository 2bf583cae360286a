package dev.converge.graph;

import com.google.common.graph.Graph;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Kahn's algorithm with a sorted ready queue (deterministic order), and Tarjan's strongly connected components to
 * name the exact members of each cycle when the graph is not acyclic.
 */
final class TopologicalSort {

  record Result<N>(List<N> order, List<List<N>> cycles) {}

  private TopologicalSort() {}

  static <N extends Comparable<N>> Result<N> of(Graph<N> g) {
    Map<N, Integer> indegree = new HashMap<>(g.nodes().size() * 2);
    PriorityQueue<N> ready = new PriorityQueue<>();
    for (N n : g.nodes()) {
      int d = g.inDegree(n);
      indegree.put(n, d);
      if (d == 0) {
        ready.add(n);
      }
    }
    List<N> order = new ArrayList<>(g.nodes().size());
    while (!ready.isEmpty()) {
      N n = ready.poll();
      order.add(n);
      for (N s : g.successors(n)) {
        if (indegree.merge(s, -1, Integer::sum) == 0) {
          ready.add(s);
        }
      }
    }
    if (order.size() == g.nodes().size()) {
      return new Result<>(List.copyOf(order), List.of());
    }
    return new Result<>(List.copyOf(order), cycles(g));
  }

  /** Every cycle as the members of its strongly connected component, in the order a walk around it visits them. */
  private static <N extends Comparable<N>> List<List<N>> cycles(Graph<N> g) {
    List<List<N>> components = new Tarjan<>(g).run();
    List<List<N>> cycles = new ArrayList<>();
    for (List<N> c : components) {
      if (c.size() > 1 || g.hasEdgeConnecting(c.get(0), c.get(0))) {
        cycles.add(walk(g, c));
      }
    }
    cycles.sort((a, b) -> a.get(0).compareTo(b.get(0)));
    return cycles;
  }

  /** Orders a component's members along a cycle through them, starting from the smallest. */
  private static <N extends Comparable<N>> List<N> walk(Graph<N> g, List<N> component) {
    java.util.Set<N> members = new java.util.HashSet<>(component);
    N start = component.stream().min(Comparable::compareTo).orElseThrow();
    List<N> path = new ArrayList<>();
    java.util.Set<N> seen = new java.util.HashSet<>();
    N at = start;
    while (seen.add(at)) {
      path.add(at);
      N next = null;
      for (N s : g.successors(at)) {
        if (members.contains(s) && (next == null || (!seen.contains(s) && (seen.contains(next) || s.compareTo(next) < 0)))) {
          next = s;
        }
      }
      at = next;
    }
    if (path.size() < component.size()) {
      component.stream().filter(n -> !path.contains(n)).sorted().forEach(path::add);
    }
    return path;
  }

  /** Iterative Tarjan: no recursion, so a 100k-long chain cannot overflow the stack. */
  private static final class Tarjan<N> {
    private final Graph<N> g;
    private final Map<N, Integer> index = new HashMap<>();
    private final Map<N, Integer> low = new HashMap<>();
    private final Deque<N> stack = new ArrayDeque<>();
    private final java.util.Set<N> onStack = new java.util.HashSet<>();
    private final List<List<N>> result = new ArrayList<>();
    private int counter;

    Tarjan(Graph<N> g) {
      this.g = g;
    }

    List<List<N>> run() {
      for (N n : g.nodes()) {
        if (!index.containsKey(n)) {
          strongConnect(n);
        }
      }
      return result;
    }

    private void strongConnect(N root) {
      Deque<Object[]> work = new ArrayDeque<>();
      visit(root);
      work.push(new Object[] {root, g.successors(root).iterator()});
      while (!work.isEmpty()) {
        Object[] frame = work.peek();
        @SuppressWarnings("unchecked")
        N v = (N) frame[0];
        @SuppressWarnings("unchecked")
        java.util.Iterator<N> it = (java.util.Iterator<N>) frame[1];
        if (it.hasNext()) {
          N w = it.next();
          if (!index.containsKey(w)) {
            visit(w);
            work.push(new Object[] {w, g.successors(w).iterator()});
          } else if (onStack.contains(w)) {
            low.put(v, Math.min(low.get(v), index.get(w)));
          }
        } else {
          work.pop();
          if (!work.isEmpty()) {
            @SuppressWarnings("unchecked")
            N parent = (N) work.peek()[0];
            low.put(parent, Math.min(low.get(parent), low.get(v)));
          }
          if (low.get(v).equals(index.get(v))) {
            List<N> component = new ArrayList<>();
            N w;
            do {
              w = stack.pop();
              onStack.remove(w);
              component.add(w);
            } while (!w.equals(v));
            result.add(component);
          }
        }
      }
    }

    private void visit(N n) {
      index.put(n, counter);
      low.put(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
    }
  }
}

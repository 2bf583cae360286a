package dev.converge.cli.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Per-host exponential backoff for watch: a host whose probes or actions fail is left alone for one interval, then
 * two, four… up to {@code max}; one good run resets it. Other hosts keep converging meanwhile.
 */
final class HostBackoff {

  private final Duration base;
  private final Duration max;
  private final Supplier<Instant> clock;
  private final Map<String, Integer> failures = new TreeMap<>();
  private final Map<String, Instant> pausedUntil = new TreeMap<>();

  HostBackoff(Duration base, Duration max, Supplier<Instant> clock) {
    this.base = base;
    this.max = max;
    this.clock = clock;
  }

  /** Hosts to leave out of the next run. */
  synchronized Set<String> paused() {
    Instant now = clock.get();
    Set<String> out = new TreeSet<>();
    pausedUntil.forEach((h, until) -> {
      if (now.isBefore(until)) {
        out.add(h);
      }
    });
    return out;
  }

  /** Records a run: hosts in {@code failed} back off further, hosts in {@code ok} are forgiven. */
  synchronized void record(Set<String> failed, Set<String> ok) {
    Instant now = clock.get();
    for (String h : failed) {
      int n = failures.merge(h, 1, Integer::sum);
      long factor = 1L << Math.min(n - 1, 20);
      Duration pause = base.multipliedBy(factor);
      pausedUntil.put(h, now.plus(pause.compareTo(max) > 0 ? max : pause));
    }
    for (String h : ok) {
      if (!failed.contains(h)) {
        failures.remove(h);
        pausedUntil.remove(h);
      }
    }
  }

  synchronized Map<String, Instant> pausedUntil() {
    return Map.copyOf(pausedUntil);
  }
}

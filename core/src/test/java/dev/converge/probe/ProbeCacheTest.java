package dev.converge.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.resource.Observation;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProbeCacheTest {

  private final AtomicLong nanos = new AtomicLong();
  private final ProbeCache cache = ProbeCache.expiringAfter(Duration.ofSeconds(30), nanos::get);
  private final ResourceId id = ResourceId.of("file", "h", "/x");

  @Test
  void anObservationIsServedUntilItExpires() {
    cache.put(Observation.absent(id));
    nanos.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(cache.get(id)).isPresent();

    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(cache.get(id)).isEmpty();
  }

  @Test
  void anActionInvalidatesItsResourceAtOnce() {
    cache.put(Observation.absent(id));
    cache.invalidate(List.of(id));
    assertThat(cache.get(id)).isEmpty();
  }

  @Test
  void aDisabledCacheKeepsNothing() {
    ProbeCache off = ProbeCache.disabled();
    off.put(Observation.absent(id));
    assertThat(off.get(id)).isEmpty();
  }
}

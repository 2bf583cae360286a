package dev.converge.probe;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.converge.resource.Observation;
import dev.converge.resource.ResourceId;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Observations kept between runs of {@code converge watch}, so a run triggered by a spec edit re-probes only what is
 * stale. Entries expire after {@code ttl} (shorter than the watch interval, so every interval still sees drift) and
 * are invalidated as soon as an action touches their resource. A disabled cache (one-shot commands) keeps nothing.
 */
public final class ProbeCache {

  private final Cache<ResourceId, Observation> cache;

  private ProbeCache(Cache<ResourceId, Observation> cache) {
    this.cache = cache;
  }

  public static ProbeCache disabled() {
    return new ProbeCache(null);
  }

  public static ProbeCache expiringAfter(Duration ttl) {
    return expiringAfter(ttl, Ticker.systemTicker());
  }

  static ProbeCache expiringAfter(Duration ttl, Ticker ticker) {
    return new ProbeCache(Caffeine.newBuilder().expireAfterWrite(ttl).ticker(ticker).build());
  }

  public Optional<Observation> get(ResourceId id) {
    return cache == null ? Optional.empty() : Optional.ofNullable(cache.getIfPresent(id));
  }

  public void put(Observation o) {
    if (cache != null) {
      cache.put(o.id(), o);
    }
  }

  public void invalidate(Collection<ResourceId> ids) {
    if (cache != null) {
      cache.invalidateAll(ids);
    }
  }

  public void invalidateAll() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }
}

package dev.converge.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HostBackoffTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-22T10:00:00Z"));
  private final HostBackoff backoff = new HostBackoff(Duration.ofMinutes(1), Duration.ofMinutes(4), now::get);

  private void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  @Test
  void aFailingHostIsPausedForOneTwoFourIntervalsUpToTheMaximum() {
    backoff.record(Set.of("web"), Set.of());
    assertThat(backoff.paused()).containsExactly("web");
    advance(Duration.ofSeconds(61));
    assertThat(backoff.paused()).isEmpty();

    backoff.record(Set.of("web"), Set.of());
    advance(Duration.ofSeconds(119));
    assertThat(backoff.paused()).containsExactly("web");
    advance(Duration.ofSeconds(2));
    assertThat(backoff.paused()).isEmpty();

    backoff.record(Set.of("web"), Set.of());
    backoff.record(Set.of("web"), Set.of());
    backoff.record(Set.of("web"), Set.of());
    assertThat(backoff.pausedUntil().get("web")).isEqualTo(now.get().plus(Duration.ofMinutes(4)));
  }

  @Test
  void oneGoodRunForgivesAHostAndOtherHostsAreNeverPaused() {
    backoff.record(Set.of("web"), Set.of("db"));
    backoff.record(Set.of(), Set.of("web", "db"));

    assertThat(backoff.paused()).isEmpty();
    backoff.record(Set.of("web"), Set.of());
    assertThat(backoff.pausedUntil().get("web")).isEqualTo(now.get().plus(Duration.ofMinutes(1)));
  }
}

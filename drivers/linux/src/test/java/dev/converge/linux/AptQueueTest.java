package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AptQueueTest {

  @Test
  void aptRunsOnOneHost_waitForEachOther_whileOtherHostsProceed() throws Exception {
    TestTarget h1 = new TestTarget("queue-h1", null);
    TestTarget h2 = new TestTarget("queue-h2", null);
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicBoolean secondRan = new AtomicBoolean();
    AtomicBoolean otherHostRan = new AtomicBoolean();

    Thread first = start(() -> AptQueue.serially(h1, () -> {
      firstInside.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> releaseFirst.getCount() == 0);
    }));
    assertThat(firstInside.await(30, TimeUnit.SECONDS)).isTrue();
    Thread second = start(() -> AptQueue.serially(h1, () -> secondRan.set(true)));
    Thread otherHost = start(() -> AptQueue.serially(h2, () -> otherHostRan.set(true)));

    await().atMost(Duration.ofSeconds(30)).until(() -> second.getState() == Thread.State.WAITING);
    otherHost.join(30_000);
    assertThat(otherHostRan).as("another host's run is not held up").isTrue();
    assertThat(secondRan).as("the same host's second run waits").isFalse();

    releaseFirst.countDown();
    first.join(30_000);
    second.join(30_000);
    assertThat(secondRan).isTrue();
  }

  private static Thread start(AptQueue.Work work) {
    Thread t = new Thread(() -> {
      try {
        work.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    t.start();
    return t;
  }
}

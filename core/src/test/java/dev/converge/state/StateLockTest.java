package dev.converge.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateLockTest {

  private static final String APPLY = "converge apply specs/site.yaml";
  private static final long MY_PID = ProcessHandle.current().pid();

  @TempDir Path project;

  private final ExecutorService background = Executors.newCachedThreadPool();
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stopEverythingStarted() {
    background.shutdownNow();
    children.forEach(Process::destroyForcibly);
  }

  private Path dir() {
    return project.resolve(".converge");
  }

  private StateStore open(String command, Duration timeout) throws Exception {
    return FileStateStore.open(dir(), "example", new LockRequest(timeout, command));
  }

  private CompletableFuture<StateStore> openInBackground(Duration timeout) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return open("converge plan specs/site.yaml", timeout);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, background);
  }

  /* ------ two openers in this process ------ */

  @Test
  void secondOpenerInThisProcess_waitsTheTimeoutThenNamesTheHolder() throws Exception {
    try (StateStore first = open(APPLY, Duration.ZERO)) {
      long start = System.nanoTime();

      assertThatThrownBy(() -> open("converge plan specs/site.yaml", Duration.ofMillis(300)))
          .isInstanceOfSatisfying(StateLockedException.class, e -> {
            assertThat(e.holder()).get().satisfies(h -> {
              assertThat(h.pid()).isEqualTo(MY_PID);
              assertThat(h.host()).isEqualTo(LocalHost.name());
              assertThat(h.command()).isEqualTo(APPLY);
            });
            assertThat(e.getMessage()).matches("state " + dir() + " is locked by pid " + MY_PID + " on "
                + LocalHost.name() + " since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(" + APPLY
                + "\\); waited 300ms");
          });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void secondOpenerInThisProcess_getsTheLockOnceTheFirstCloses() throws Exception {
    StateStore first = open(APPLY, Duration.ZERO);
    first.write(first.read());

    CompletableFuture<StateStore> second = openInBackground(Duration.ofSeconds(30));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !second.isDone());
    first.close();

    await().atMost(Duration.ofSeconds(10)).until(second::isDone);
    try (StateStore store = second.join()) {
      assertThat(store.read().serial()).isEqualTo(1);
    }
  }

  @Test
  void aFailedAttemptInThisProcess_doesNotUnlockTheHolderForOtherProcesses() throws Exception {
    try (StateStore first = open(APPLY, Duration.ZERO)) {
      assertThatThrownBy(() -> open("converge plan", Duration.ZERO)).isInstanceOf(StateLockedException.class);

      Process other = startChild("try", "converge plan specs/site.yaml");
      assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(other.exitValue()).isEqualTo(LockHolderMain.LOCKED_EXIT);
      assertThat(output(other)).contains("is locked by pid " + MY_PID).contains("(" + APPLY + ")");
    }
  }

  /* ------ another process holds the lock ------ */

  @Test
  void anotherProcessHoldingTheLock_makesOpenWaitThenFailNamingItsPid() throws Exception {
    Process holder = startHolder(APPLY);
    long start = System.nanoTime();

    assertThatThrownBy(() -> open("converge plan specs/site.yaml", Duration.ofMillis(500)))
        .isInstanceOfSatisfying(StateLockedException.class, e -> {
          assertThat(e.holder()).get().satisfies(h -> {
            assertThat(h.pid()).isEqualTo(holder.pid());
            assertThat(h.command()).isEqualTo(APPLY);
          });
          assertThat(e.getMessage()).contains("is locked by pid " + holder.pid() + " on ")
              .endsWith("(" + APPLY + "); waited 500ms");
        });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void killingTheHoldingProcess_freesTheLockAtOnce() throws Exception {
    Process holder = startHolder(APPLY);
    assertThatThrownBy(() -> open("converge plan", Duration.ZERO)).isInstanceOf(StateLockedException.class);

    holder.destroyForcibly();
    assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();

    try (StateStore store = open("converge plan", Duration.ZERO)) {
      assertThat(store.read().site()).isEqualTo("example");
    }
  }

  @Test
  void aWaitingOpener_getsTheLockWhenTheOtherProcessFinishes() throws Exception {
    Process holder = startHolder(APPLY);

    CompletableFuture<StateStore> waiting = openInBackground(Duration.ofSeconds(30));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
    holder.getOutputStream().close();

    await().atMost(Duration.ofSeconds(20)).until(waiting::isDone);
    try (StateStore store = waiting.join()) {
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).isZero();
    }
  }

  @Test
  void anotherProcess_getsTheLockOnceThisOneCloses() throws Exception {
    open(APPLY, Duration.ZERO).close();

    Process other = startChild("try", "converge plan specs/site.yaml");
    assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output(other)).isEqualTo("acquired");
    assertThat(other.exitValue()).isZero();
    assertThat(Files.readString(dir().resolve("lock"))).as("holder record cleared on release").isEmpty();
  }

  /** Starts a JVM that holds the lock, and returns once it does. */
  private Process startHolder(String command) throws Exception {
    Process holder = startChild("hold", command);
    BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, background);
    await().atMost(Duration.ofSeconds(60)).until(firstLine::isDone);
    assertThat(firstLine.join()).isEqualTo("locked");
    return holder;
  }

  private Process startChild(String mode, String command) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // logback without a configuration would log to stdout, which carries the child's answers
    Process p = new ProcessBuilder(java, "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
        "-cp", System.getProperty("java.class.path"), LockHolderMain.class.getName(), mode, dir().toString(), command)
        .redirectError(project.resolve(mode + "-" + children.size() + ".err").toFile())
        .start();
    children.add(p);
    return p;
  }

  private static String output(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }
}

package dev.converge.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.resource.Sensitive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlJournalTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123456Z");

  @TempDir Path dir;

  @Test
  void append_thenRead_returnsTheEventsInOrder() throws Exception {
    List<JournalEvent> events = List.of(
        JournalEvent.of(T0, "r1", JournalEvent.RUN_START,
            Map.of("command", "converge apply specs/site.yaml", "user", "root", "pid", 4242)),
        JournalEvent.of(T0.plusMillis(5), "r1", JournalEvent.ACTION, Map.of("id", "file/mgmt:/etc/motd",
            "type", "create", "result", "ok", "duration_ms", 17)),
        JournalEvent.of(T0.plusMillis(9), "r1", JournalEvent.RUN_END, Map.of("result", "converged",
            "counts", Map.of("ok", 1, "failed", 0), "duration_ms", 20, "clean", true)));

    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      events.forEach(journal::append);

      assertThat(journal.read()).containsExactlyElementsOf(events);
    }
  }

  @Test
  void eachEvent_isOneJsonObjectPerLine() throws Exception {
    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      journal.append(JournalEvent.of(T0, "r1", JournalEvent.ACTION, Map.of("error", "line one\nline two")));
      journal.append(JournalEvent.of(T0, "r1", JournalEvent.RUN_END, Map.of()));
    }

    List<String> lines = Files.readAllLines(dir.resolve("journal.jsonl"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).isEqualTo("{\"time\":\"2026-11-22T10:00:00.123456Z\",\"run\":\"r1\",\"event\":\"action\","
        + "\"error\":\"line one\\nline two\"}");
    assertThat(new ObjectMapper().readTree(lines.get(1)).get("event").asText()).isEqualTo("run-end");
  }

  @Test
  void sensitiveValues_neverReachTheFile() throws Exception {
    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      journal.append(JournalEvent.of(T0, "r1", JournalEvent.ACTION, Map.of(
          "key", new Sensitive("hunter2"), "after", Map.of("secret", new Sensitive("hunter2")))));

      assertThat(journal.read().get(0).fields())
          .containsEntry("key", "(sensitive)")
          .containsEntry("after", Map.of("secret", "(sensitive)"));
    }
    assertThat(Files.readString(dir.resolve("journal.jsonl"))).doesNotContain("hunter2").contains("(sensitive)");
  }

  @Test
  void journal_isCreatedPrivate() throws Exception {
    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      journal.append(JournalEvent.of(T0, "r1", JournalEvent.RUN_START, Map.of()));
    }

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("journal.jsonl"))))
        .isEqualTo("rw-------");
  }

  @Test
  void rotation_keepsThreeOldFilesEachUnderTheLimit() throws Exception {
    long limit = 1000;
    int total = 200;
    try (JsonlJournal journal = JsonlJournal.open(dir, limit)) {
      for (int i = 0; i < total; i++) {
        journal.append(JournalEvent.of(T0, "r1", JournalEvent.ACTION, Map.of("n", i)));
      }
    }

    assertThat(Files.exists(dir.resolve("journal.4.jsonl"))).isFalse();
    List<Long> kept = new ArrayList<>();
    for (String name : List.of("journal.3.jsonl", "journal.2.jsonl", "journal.1.jsonl", "journal.jsonl")) {
      Path file = dir.resolve(name);
      assertThat(Files.size(file)).as(name).isPositive().isLessThanOrEqualTo(limit);
      JsonlJournal.readFile(file).forEach(e -> kept.add((Long) e.field("n").orElseThrow()));
    }
    // oldest first across the files, ending with the last event, the oldest ones dropped
    assertThat(kept).isSorted().endsWith((long) total - 1).doesNotContain(0L);
    assertThat(kept).containsExactlyElementsOf(
        IntStream.range(total - kept.size(), total).mapToObj(i -> (long) i).toList());
  }

  @Test
  void read_returnsOnlyTheCurrentFileAfterRotation() throws Exception {
    try (JsonlJournal journal = JsonlJournal.open(dir, 300)) {
      for (int i = 0; i < 10; i++) {
        journal.append(JournalEvent.of(T0, "r1", JournalEvent.ACTION, Map.of("n", i)));
      }

      List<JournalEvent> current = journal.read();
      assertThat(current).isNotEmpty().hasSizeLessThan(10);
      assertThat(current.get(current.size() - 1).field("n")).contains(9L);
    }
  }

  @Test
  void concurrentAppends_neverInterleaveLines() throws Exception {
    int threads = 8;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String run = "thread-" + t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            journal.append(JournalEvent.of(T0, run, JournalEvent.ACTION, Map.of("n", i, "padding", "x".repeat(200))));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }

      List<JournalEvent> events = journal.read();
      assertThat(events).hasSize(threads * perThread);
      for (int t = 0; t < threads; t++) {
        String run = "thread-" + t;
        assertThat(events.stream().filter(e -> e.run().equals(run)).map(e -> e.field("n").orElseThrow()))
            .containsExactlyElementsOf(IntStream.range(0, perThread).mapToObj(i -> (Object) (long) i).toList());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLineTornByACrash_isSkippedAndLaterEventsStayReadable() throws Exception {
    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      journal.append(JournalEvent.of(T0, "r1", JournalEvent.RUN_START, Map.of()));
    }
    Files.writeString(dir.resolve("journal.jsonl"), "{\"time\":\"2026-11-22T10:0", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    assertThat(JsonlJournal.readFile(dir.resolve("journal.jsonl"))).hasSize(1);

    try (JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES)) {
      journal.append(JournalEvent.of(T0, "r2", JournalEvent.RUN_START, Map.of()));

      assertThat(journal.read()).extracting(JournalEvent::run).containsExactly("r1", "r2");
    }
  }

  @Test
  void append_afterClose_isRefused() throws Exception {
    JsonlJournal journal = JsonlJournal.open(dir, JsonlJournal.MAX_BYTES);
    journal.close();

    assertThatThrownBy(() -> journal.append(JournalEvent.of(T0, "r1", JournalEvent.RUN_START, Map.of())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void readFile_ofAMissingJournal_isEmpty() throws Exception {
    assertThat(JsonlJournal.readFile(dir.resolve("journal.jsonl"))).isEmpty();
  }
}

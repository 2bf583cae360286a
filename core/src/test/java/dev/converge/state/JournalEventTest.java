package dev.converge.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JournalEventTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void fields_becomeJsonShapedOnConstruction() {
    Map<String, Object> fields = new HashMap<>();
    fields.put("duration_ms", 12);
    fields.put("ratio", 0.5f);
    fields.put("id", ResourceId.of("file", "mgmt", "/etc/motd"));
    fields.put("counts", Map.of("ok", 3, "failed", 1));
    fields.put("hosts", new String[] {"a", "b"});
    fields.put("error", null);
    fields.put("reason", Optional.empty());
    fields.put("content", new byte[] {1, 2, 3});

    JournalEvent e = JournalEvent.of(T0, "run-1", JournalEvent.ACTION, fields);

    assertThat(e.fields()).containsOnlyKeys("duration_ms", "ratio", "id", "counts", "hosts", "content");
    assertThat(e.field("duration_ms")).contains(12L);
    assertThat(e.field("ratio")).contains(0.5d);
    assertThat(e.field("id")).contains("file/mgmt:/etc/motd");
    assertThat(e.field("counts")).contains(Map.of("failed", 1L, "ok", 3L));
    assertThat(e.field("hosts")).contains(List.of("a", "b"));
    assertThat(e.field("content")).contains("(3 bytes)");
  }

  @Test
  void sensitiveValues_areRedactedAtAnyDepth() {
    JournalEvent e = JournalEvent.of(T0, "run-1", JournalEvent.ACTION, Map.of(
        "key", new Sensitive("hunter2"),
        "nested", Map.of("list", Arrays.asList("plain", new Sensitive("hunter2"))),
        "properties", Properties.builder().put("password", new Sensitive("hunter2")).put("user", "root").build()));

    assertThat(e.field("key")).contains("(sensitive)");
    assertThat(e.field("nested")).contains(Map.of("list", List.of("plain", "(sensitive)")));
    assertThat(e.field("properties")).contains(Map.of("password", "(sensitive)", "user", "root"));
    assertThat(e.toString()).doesNotContain("hunter2");
  }

  @Test
  void reservedFieldNames_areRefused() {
    assertThatThrownBy(() -> JournalEvent.of(T0, "run-1", JournalEvent.ACTION, Map.of("time", "later")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("`time` is reserved");
  }

  @Test
  void fields_cannotBeModified() {
    JournalEvent e = JournalEvent.of(T0, "run-1", JournalEvent.RUN_END, Map.of("counts", Map.of("ok", 1)));

    assertThatThrownBy(() -> e.fields().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> counts = (Map<String, Object>) e.field("counts").orElseThrow();
    assertThatThrownBy(() -> counts.put("failed", 1L)).isInstanceOf(UnsupportedOperationException.class);
  }
}

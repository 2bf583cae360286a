package dev.converge.state;

import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import java.lang.reflect.Array;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One line of the journal: when, which run, what happened, and the details.
 *
 * <p>Fields are made JSON-shaped on construction, so an event is immutable and safe to print: strings, booleans,
 * {@code Long} (for every integral type), {@code Double}, lists and sorted maps of those. A {@link Sensitive}
 * value, at any depth, becomes {@code "(sensitive)"} here, before anything can write it. {@link Properties} become
 * their map, null and empty-{@link Optional} fields are dropped, and any other object becomes its
 * {@code toString()}.
 *
 * @param time when it happened
 * @param run the id of the run the event belongs to
 * @param event what happened: {@link #RUN_START}, {@link #ACTION}, {@link #RUN_END} or another name
 * @param fields the details; the names {@code time}, {@code run} and {@code event} are reserved for the above
 */
public record JournalEvent(Instant time, String run, String event, SortedMap<String, Object> fields) {

  /** A run began; fields {@code command}, {@code spec}, {@code user}, {@code host}, {@code pid}. */
  public static final String RUN_START = "run-start";

  /**
   * An action finished; fields {@code id}, {@code type}, {@code result} (ok, failed, skipped, not-converging),
   * {@code duration_ms}, {@code error}.
   */
  public static final String ACTION = "action";

  /** A run ended; fields {@code result}, {@code counts}, {@code duration_ms}. */
  public static final String RUN_END = "run-end";

  private static final Set<String> RESERVED = Set.of("time", "run", "event");

  public JournalEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(event, "event");
    TreeMap<String, Object> copy = new TreeMap<>();
    fields.forEach((name, value) -> {
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("journal field name `" + name + "` is reserved");
      }
      Object v = jsonShaped(value);
      if (v != null) {
        copy.put(name, v);
      }
    });
    fields = Collections.unmodifiableSortedMap(copy);
  }

  public static JournalEvent of(Instant time, String run, String event, Map<String, ?> fields) {
    return new JournalEvent(time, run, event, new TreeMap<>(fields));
  }

  public Optional<Object> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  private static Object jsonShaped(Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Sensitive) {
      return Sensitive.REDACTED;
    }
    if (v instanceof Optional<?> o) {
      return o.map(JournalEvent::jsonShaped).orElse(null);
    }
    if (v instanceof Properties p) {
      return jsonShaped(p.asMap());
    }
    if (v instanceof Map<?, ?> m) {
      TreeMap<String, Object> copy = new TreeMap<>();
      m.forEach((k, e) -> {
        Object shaped = jsonShaped(e);
        if (shaped != null) {
          copy.put(String.valueOf(k), shaped);
        }
      });
      return Collections.unmodifiableSortedMap(copy);
    }
    if (v instanceof Iterable<?> it) {
      ArrayList<Object> copy = new ArrayList<>();
      it.forEach(e -> copy.add(jsonShaped(e)));
      return Collections.unmodifiableList(copy);
    }
    if (v instanceof byte[] bytes) {
      // raw bytes are content (a file, a key); the journal records only that there were some
      return "(" + bytes.length + " bytes)";
    }
    if (v.getClass().isArray()) {
      ArrayList<Object> copy = new ArrayList<>();
      for (int i = 0; i < Array.getLength(v); i++) {
        copy.add(jsonShaped(Array.get(v, i)));
      }
      return Collections.unmodifiableList(copy);
    }
    return v.toString();
  }
}

package dev.converge.resource;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Maps;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The canonical, immutable property map of a desired or observed resource. Keys are sorted; values are only
 * {@code String}, {@code Long}, {@code Boolean}, lists and sorted maps of those, or a {@link Sensitive} wrapping one
 * of them. Canonical values make diff, rendering, hashing and JSON generic across every driver.
 */
public final class Properties {

  private static final Properties EMPTY = new Properties(ImmutableSortedMap.of());

  private final ImmutableSortedMap<String, Object> values;

  private Properties(ImmutableSortedMap<String, Object> values) {
    this.values = values;
  }

  public static Properties empty() {
    return EMPTY;
  }

  /** Copies and canonicalises {@code map}: integers become {@code Long}, maps become sorted, lists immutable. */
  public static Properties of(Map<String, ?> map) {
    ImmutableSortedMap.Builder<String, Object> b = ImmutableSortedMap.naturalOrder();
    map.forEach((k, v) -> {
      if (v != null) {
        b.put(k, canonical(v));
      }
    });
    return new Properties(b.build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<Object> get(String field) {
    return Optional.ofNullable(values.get(field));
  }

  public Optional<String> string(String field) {
    return get(field).map(v -> (String) Sensitive.reveal(v));
  }

  public Set<String> fields() {
    return values.keySet();
  }

  public ImmutableSortedMap<String, Object> asMap() {
    return values;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** A copy with {@code field} set (or replaced). */
  public Properties with(String field, Object value) {
    ImmutableSortedMap.Builder<String, Object> b = ImmutableSortedMap.naturalOrder();
    values.forEach((k, v) -> {
      if (!k.equals(field)) {
        b.put(k, v);
      }
    });
    b.put(field, canonical(value));
    return new Properties(b.build());
  }

  /** A copy restricted to {@code keep}. */
  public Properties only(Set<String> keep) {
    return new Properties(ImmutableSortedMap.copyOfSorted(Maps.filterKeys(values, keep::contains)));
  }

  static Object canonical(Object v) {
    if (v instanceof String || v instanceof Long || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Sensitive s) {
      Object inner = canonical(s.value());
      return inner == s.value() ? s : new Sensitive(inner);
    }
    if (v instanceof List<?> list) {
      ImmutableList.Builder<Object> b = ImmutableList.builderWithExpectedSize(list.size());
      for (Object e : list) {
        b.add(canonical(e));
      }
      return b.build();
    }
    if (v instanceof Map<?, ?> map) {
      ImmutableSortedMap.Builder<String, Object> b = ImmutableSortedMap.naturalOrder();
      map.forEach((k, e) -> {
        if (e != null) {
          b.put(String.valueOf(k), canonical(e));
        }
      });
      return b.build();
    }
    throw new IllegalArgumentException("not a canonical property value: " + v.getClass().getName());
  }

  /** True if any value, at any depth, is {@link Sensitive}. */
  public boolean hasSensitive() {
    return values.values().stream().anyMatch(Properties::containsSensitive);
  }

  static boolean containsSensitive(Object v) {
    if (v instanceof Sensitive) {
      return true;
    }
    if (v instanceof List<?> l) {
      return l.stream().anyMatch(Properties::containsSensitive);
    }
    if (v instanceof Map<?, ?> m) {
      return m.values().stream().anyMatch(Properties::containsSensitive);
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Properties p && values.equals(p.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Renders with sensitive values redacted; safe to log. */
  @Override
  public String toString() {
    return values.toString();
  }

  /** Accumulates fields in any order; {@link #build()} canonicalises. */
  public static final class Builder {
    private final ImmutableSortedMap.Builder<String, Object> b = ImmutableSortedMap.naturalOrder();

    private Builder() {}

    public Builder put(String field, Object value) {
      if (value != null) {
        b.put(field, canonical(value));
      }
      return this;
    }

    public Builder put(String field, Optional<?> value) {
      value.ifPresent(v -> put(field, v));
      return this;
    }

    public Properties build() {
      return new Properties(b.buildOrThrow());
    }
  }
}

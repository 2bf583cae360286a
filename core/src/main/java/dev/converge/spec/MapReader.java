package dev.converge.spec;

import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the keys of one YAML map into typed values, reporting every unknown key, wrong type and missing key to
 * {@link Problems} instead of stopping at the first. Messages name the key by its path from the entity
 * ({@code ssh.port}, {@code mounts[1].target}) and the entity itself ({@code host `server1`}), or the
 * {@code defaults}/{@code profile} text an inherited key came from.
 */
final class MapReader {

  private final MapNode map;
  private final String context;
  private final String prefix;
  private final Location at;
  private final Problems problems;

  /**
   * @param context the entity, as in {@code host `server1`}
   * @param at where a missing key is reported: the entity's name, or the map itself
   */
  MapReader(MapNode map, String context, Location at, Problems problems) {
    this(map, context, "", at, problems);
  }

  private MapReader(MapNode map, String context, String prefix, Location at, Problems problems) {
    this.map = map;
    this.context = context;
    this.prefix = prefix;
    this.at = at;
    this.problems = problems;
  }

  /** A reader for {@code node}, or empty (after an error naming {@code what}) when it is not a map. */
  static Optional<MapReader> of(Node node, String context, Location at, Problems problems, List<String> keys) {
    if (node instanceof MapNode m) {
      return Optional.of(new MapReader(m, context, at, problems).allowing(keys));
    }
    problems.error(node.location(), context + ": found " + node.describe() + ", expected a map with keys "
        + String.join(", ", keys));
    return Optional.empty();
  }

  /** Reports every key not in {@code keys}, with the closest known key as a suggestion. */
  MapReader allowing(List<String> keys) {
    for (Entry e : map.all()) {
      if (!keys.contains(e.key())) {
        problems.error(e.keyLocation(), "unknown key `" + prefix + e.key() + "` in " + contextOf(e)
            + ": expected one of " + String.join(", ", keys) + Suggestions.didYouMean(e.key(), keys));
      }
    }
    return this;
  }

  MapNode node() {
    return map;
  }

  String context() {
    return context;
  }

  Problems problems() {
    return problems;
  }

  boolean has(String key) {
    return map.entry(key).isPresent();
  }

  /** Whether {@code key} is absent or written without a value ({@code jails:} with everything commented out). */
  boolean isBlank(String key) {
    return map.get(key).map(v -> v instanceof ScalarNode s && s.isNull()).orElse(true);
  }

  Optional<Entry> entry(String key) {
    return map.entry(key);
  }

  /** Where the value of {@code key} is written, or where a missing key is reported. */
  Location location(String key) {
    return map.get(key).map(Node::location).orElse(at);
  }

  /** The directory relative paths in {@code key}'s value are taken from: that of the file it is written in. */
  Path directoryOf(String key) {
    Path file = location(key).file();
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? file.toAbsolutePath() : parent;
  }

  // ------ scalars ------

  <T> Optional<T> get(String key, Conversion<T> conversion) {
    return map.entry(key).flatMap(e -> convert(e, pathOf(e.key()), e.value(), conversion));
  }

  <T> T get(String key, Conversion<T> conversion, T fallback) {
    return get(key, conversion).orElse(fallback);
  }

  /** The value of a key that must be present; its absence is an error at the entity. */
  <T> Optional<T> require(String key, Conversion<T> conversion) {
    if (!has(key)) {
      missing(key, conversion.expected());
      return Optional.empty();
    }
    return get(key, conversion);
  }

  /** A file path on the machine converge runs on, relative to the file the key is written in. */
  Optional<Path> path(String key) {
    return get(key, Conversion.localPath(directoryOf(key)));
  }

  void missing(String key, String expected) {
    problems.error(at, "missing key `" + prefix + key + "` in " + context + ": expected " + expected);
  }

  /** None of {@code keys}, of which exactly one is needed, is there. */
  void missingOneOf(List<String> keys, String expected) {
    String names = keys.stream().map(k -> "`" + prefix + k + "`").collect(java.util.stream.Collectors.joining(", "));
    problems.error(at, "missing one of " + names + " in " + context + ": expected " + expected);
  }

  /** Reports a problem with {@code key}'s value: {@code `key` in host `x`: detail}. */
  void error(String key, String detail) {
    Optional<Entry> e = map.entry(key);
    Location where = e.map(x -> x.value().location()).orElse(at);
    problems.error(where, "`" + prefix + key + "` in " + e.map(this::contextOf).orElse(context) + ": " + detail);
  }

  /** Reports a problem at {@code where} about an element of {@code key}'s value. */
  void error(String key, String element, Location where, String detail) {
    Optional<Entry> e = map.entry(key);
    problems.error(where, "`" + prefix + key + element + "` in " + e.map(this::contextOf).orElse(context) + ": "
        + detail);
  }

  // ------ lists and maps ------

  /** A list of scalars; elements that do not convert are reported one by one and left out. */
  <T> Optional<List<T>> list(String key, Conversion<T> conversion) {
    return listNode(key, "a list, each element " + conversion.expected()).map(list -> {
      Entry e = map.entry(key).orElseThrow();
      List<T> values = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        convert(e, pathOf(key) + "[" + i + "]", list.items().get(i), conversion).ifPresent(values::add);
      }
      return values;
    });
  }

  Optional<ListNode> listNode(String key, String expected) {
    Optional<Entry> e = map.entry(key);
    if (e.isEmpty()) {
      return Optional.empty();
    }
    if (e.get().value() instanceof ListNode list) {
      return Optional.of(list);
    }
    error(key, "found " + e.get().value().describe() + ", expected " + expected);
    return Optional.empty();
  }

  Optional<MapNode> mapNode(String key, String expected) {
    Optional<Entry> e = map.entry(key);
    if (e.isEmpty()) {
      return Optional.empty();
    }
    if (e.get().value() instanceof MapNode m) {
      return Optional.of(m);
    }
    error(key, "found " + e.get().value().describe() + ", expected " + expected);
    return Optional.empty();
  }

  /**
   * The map under {@code key} whose keys and scalar values are converted one by one (such as sysctls); every bad key
   * or value is reported, the good ones are kept.
   */
  <V> Map<String, V> dictionary(String key, Conversion<String> keys, Conversion<V> values, String expected) {
    Map<String, V> result = new LinkedHashMap<>();
    Optional<MapNode> m = mapNode(key, expected);
    for (Entry e : m.map(MapNode::all).orElse(List.of())) {
      try {
        keys.convert(e.key());
      } catch (Conversion.Invalid invalid) {
        error(key, "." + e.key(), e.keyLocation(), invalid.detail());
        continue;
      }
      convert(e, pathOf(key) + "." + e.key(), e.value(), values).ifPresent(v -> result.put(e.key(), v));
    }
    return result;
  }

  /** A reader for the map under {@code key}, whose keys must be among {@code keys}. */
  Optional<MapReader> child(String key, List<String> keys) {
    return mapNode(key, "a map with keys " + String.join(", ", keys)).map(m -> {
      Entry e = map.entry(key).orElseThrow();
      return new MapReader(m, contextOf(e), pathOf(key) + ".", m.location(), problems).allowing(keys);
    });
  }

  /** A reader for one map of a dictionary under {@code key}, such as one user under {@code users}. */
  Optional<MapReader> child(String key, Entry item, List<String> keys) {
    String path = pathOf(key) + "." + item.key();
    if (item.value() instanceof MapNode m) {
      return Optional.of(new MapReader(m, contextOf(item), path + ".", item.keyLocation(), problems)
          .allowing(keys));
    }
    problems.error(item.value().location(), "`" + path + "` in " + contextOf(item) + ": found "
        + item.value().describe() + ", expected a map with keys " + String.join(", ", keys));
    return Optional.empty();
  }

  /** A reader for the map at {@code index} of the list under {@code key}, such as one mount. */
  Optional<MapReader> item(String key, int index, Node item, List<String> keys) {
    String path = pathOf(key) + "[" + index + "]";
    String itemContext = map.entry(key).map(this::contextOf).orElse(context);
    if (item instanceof MapNode m) {
      return Optional.of(new MapReader(m, itemContext, path + ".", m.location(), problems).allowing(keys));
    }
    problems.error(item.location(), "`" + path + "` in " + itemContext + ": found " + item.describe()
        + ", expected a map with keys " + String.join(", ", keys));
    return Optional.empty();
  }

  // ------ helpers ------

  private <T> Optional<T> convert(Entry e, String path, Node value, Conversion<T> conversion) {
    String where = "`" + path + "` in " + contextOf(e) + ": ";
    if (!(value instanceof ScalarNode s) || s.isNull()) {
      problems.error(value.location(), where + "found " + value.describe() + ", expected " + conversion.expected());
      return Optional.empty();
    }
    try {
      return Optional.of(conversion.convert(s.text()));
    } catch (Conversion.Invalid invalid) {
      problems.error(value.location(), where + invalid.detail());
      return Optional.empty();
    }
  }

  private String pathOf(String key) {
    return prefix + key;
  }

  private String contextOf(Entry e) {
    return e.origin().orElse(context);
  }
}

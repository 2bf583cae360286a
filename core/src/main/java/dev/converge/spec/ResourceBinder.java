package dev.converge.spec;

import com.google.common.collect.ImmutableSortedMap;
import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarKind;
import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Binds {@code resources:}, resources of kinds that drivers bring. Properties are free-form and become canonical
 * values: strings, longs, booleans, lists and sorted maps.
 */
final class ResourceBinder {

  static final List<String> KEYS = List.of("kind", "host", "name", "properties", "state", Requirements.KEY);
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern LONG = Pattern.compile("-?(0|[1-9][0-9]{0,17})");

  private final Binding b;
  private final Conversion<String> kind;
  private final Map<String, Location> seen = new HashMap<>();

  ResourceBinder(Binding binding) {
    this.b = binding;
    this.kind = kind(binding.knownKinds);
  }

  void bind() {
    for (Node item : b.sections.resources()) {
      MapReader.of(item, FileBinder.context(item, "name", "resource"), item.location(), b.problems, KEYS)
          .ifPresent(this::resource);
    }
  }

  private void resource(MapReader r) {
    Optional<String> kind = r.require("kind", this.kind);
    Optional<String> host = r.require("host", b.reference(Kind.HOST));
    Optional<String> name = r.require("name", Conversion.of("a name without control characters",
        text -> !text.isEmpty() && text.chars().noneMatch(c -> c < 0x20 || c == 0x7f) ? text : null));
    Map<String, Object> properties = r.mapNode("properties", "a map of properties")
        .map(m -> properties(r, m, "properties"))
        .orElse(Map.of());
    boolean absent = r.get("state", FileBinder.STATE, "present").equals("absent");
    List<Reference> requires = b.requirements.read(r);
    if (kind.isEmpty() || host.isEmpty() || name.isEmpty()) {
      return;
    }
    String id = kind.get() + "/" + host.get() + ":" + name.get();
    Location first = seen.putIfAbsent(id, r.node().location());
    if (first != null) {
      b.problems.error(r.location("name"), "duplicate resource `" + id + "`: already defined at " + first);
      return;
    }
    b.resources.add(new GenericResource(kind.get(), host.get(), name.get(), r.node().location(), properties,
        absent, requires));
  }

  private static Conversion<String> kind(Set<String> knownKinds) {
    String expected = knownKinds.isEmpty() ? "a resource kind such as ospf-router"
        : "a kind that a driver provides: one of " + String.join(", ", new TreeSet<>(knownKinds));
    return Conversion.of(expected, text -> {
      if (!KIND.matcher(text).matches()) {
        return null;
      }
      if (Requirements.isReserved(text)) {
        throw new Conversion.Invalid("found `" + text + "`, a built-in kind: expected its own section (`"
            + text + "s:`) instead of `resources:`");
      }
      if (!knownKinds.isEmpty() && !knownKinds.contains(text)) {
        throw new Conversion.Invalid("found `" + text + "`, expected " + expected
            + Suggestions.didYouMean(text, knownKinds));
      }
      return text;
    });
  }

  private static Map<String, Object> properties(MapReader r, MapNode map, String path) {
    Map<String, Object> out = new TreeMap<>();
    for (Entry e : map.all()) {
      canonical(r, e.value(), path + "." + e.key()).ifPresent(v -> out.put(e.key(), v));
    }
    return ImmutableSortedMap.copyOf(out);
  }

  private static Optional<Object> canonical(MapReader r, Node node, String path) {
    if (node instanceof MapNode m) {
      return Optional.of(properties(r, m, path));
    }
    if (node instanceof ListNode l) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < l.items().size(); i++) {
        canonical(r, l.items().get(i), path + "[" + i + "]").ifPresent(out::add);
      }
      return Optional.of(List.copyOf(out));
    }
    ScalarNode s = (ScalarNode) node;
    if (s.isNull()) {
      r.error("properties", path.substring("properties".length()), s.location(), "found an empty value,"
          + " expected a string, number, boolean, list or map (leave the property out to not set it)");
      return Optional.empty();
    }
    if (s.kind() == ScalarKind.BOOL) {
      return Optional.of(Boolean.parseBoolean(s.text()));
    }
    if (s.kind() == ScalarKind.INT && LONG.matcher(s.text()).matches()) {
      return Optional.of(Long.parseLong(s.text()));
    }
    return Optional.of(s.text());
  }
}

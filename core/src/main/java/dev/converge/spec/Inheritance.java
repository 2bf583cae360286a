package dev.converge.spec;

import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Named;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code defaults} and {@code profiles}: what a host or jail inherits. The merge order is defaults, then the
 * profile the entity names, then the entity itself, later winning; maps merge key by key, lists and scalars are
 * replaced, and an empty value ({@code via: ~}) removes what was inherited. Inherited entries remember where they
 * were written, so that an error in them points at that text. A profile may only hold keys of the kind of entity
 * that uses it; that is checked when a host or jail uses it.
 */
final class Inheritance {

  static final String PROFILE = "profile";
  static final String DEFAULTS = "defaults";
  static final String JAIL_DEFAULTS = "jail";

  /** What inherits: hosts or jails. */
  enum Heir {
    HOST("host", "defaults"),
    JAIL("jail", "defaults.jail");

    final String label;
    final String defaultsLabel;

    Heir(String label, String defaultsLabel) {
      this.label = label;
      this.defaultsLabel = defaultsLabel;
    }

    List<String> keys() {
      return this == HOST ? HostBinder.KEYS : JailBinder.KEYS;
    }

    /** The keys defaults and profiles may set: all but {@code profile}. */
    List<String> inheritableKeys() {
      return keys().stream().filter(k -> !k.equals(PROFILE)).toList();
    }
  }

  private final Map<Heir, MapNode> defaults;
  private final Map<String, Named> profiles;
  private final Problems problems;

  private Inheritance(Map<Heir, MapNode> defaults, Map<String, Named> profiles, Problems problems) {
    this.defaults = defaults;
    this.profiles = profiles;
    this.problems = problems;
  }

  /** Reads {@code defaults} from the root's top-level map; its unknown keys are reported here, once. */
  static Inheritance of(Optional<MapReader> root, Map<String, Named> profiles, Problems problems) {
    Map<Heir, MapNode> defaults = new LinkedHashMap<>();
    List<String> defaultKeys = new ArrayList<>(Heir.HOST.inheritableKeys());
    defaultKeys.add(JAIL_DEFAULTS);
    root.filter(r -> !r.isBlank(DEFAULTS))
        .flatMap(r -> r.mapNode(DEFAULTS, "a map of host keys, and `jail:` with jail keys"))
        .map(m -> new MapReader(m, DEFAULTS, m.location(), problems).allowing(defaultKeys))
        .ifPresent(d -> {
          defaults.put(Heir.HOST, labelled(only(d.node(), Heir.HOST.inheritableKeys()), Heir.HOST.defaultsLabel));
          d.child(JAIL_DEFAULTS, Heir.JAIL.inheritableKeys()).ifPresent(j -> defaults.put(Heir.JAIL,
              labelled(only(j.node(), Heir.JAIL.inheritableKeys()), Heir.JAIL.defaultsLabel)));
        });
    return new Inheritance(defaults, profiles, problems);
  }

  /**
   * The map {@code heir} ends up with: defaults, its profile and its own keys merged. Its own {@code profile}
   * key is checked here and kept, so the entity's reader accepts it.
   */
  MapNode resolve(Heir heir, String name, MapNode own) {
    MapNode merged = defaults.getOrDefault(heir, MapNode.empty(own.location()));
    Optional<MapNode> profile = profile(heir, name, own);
    if (profile.isPresent()) {
      merged = merge(merged, profile.get());
    }
    return merge(merged, own);
  }

  private Optional<MapNode> profile(Heir heir, String name, MapNode own) {
    Optional<Entry> ref = own.entry(PROFILE);
    if (ref.isEmpty()) {
      return Optional.empty();
    }
    String where = "`" + PROFILE + "` in " + heir.label + " `" + name + "`: ";
    Node value = ref.get().value();
    if (!(value instanceof ScalarNode s) || s.isNull()) {
      problems.error(value.location(), where + "found " + value.describe() + ", expected a profile name");
      return Optional.empty();
    }
    Named profile = profiles.get(s.text());
    if (profile == null) {
      problems.error(value.location(), where + "found `" + s.text() + "`, expected a profile defined in the spec"
          + Suggestions.didYouMean(s.text(), profiles.keySet()));
      return Optional.empty();
    }
    String label = "profile `" + profile.name() + "`";
    if (!(profile.value() instanceof MapNode map)) {
      problems.error(profile.value().location(), label + ": found " + profile.value().describe()
          + ", expected a map of host or jail keys");
      return Optional.empty();
    }
    List<String> keys = heir.inheritableKeys();
    for (Entry e : map.all()) {
      if (!keys.contains(e.key())) {
        problems.error(e.keyLocation(), "unknown key `" + e.key() + "` in " + label + ", which a " + heir.label
            + " uses: expected one of " + String.join(", ", keys) + Suggestions.didYouMean(e.key(), keys));
      }
    }
    return Optional.of(labelled(only(map, keys), label));
  }

  /**
   * {@code overlay} over {@code base}: maps merge key by key, anything else replaces, an empty value removes (and
   * where there is nothing to remove, means the key is not set).
   */
  static MapNode merge(MapNode base, MapNode overlay) {
    Map<String, Entry> out = new LinkedHashMap<>(base.entries());
    for (Entry e : overlay.all()) {
      Entry inherited = out.get(e.key());
      if (e.value() instanceof ScalarNode s && s.isNull()) {
        out.remove(e.key());
      } else if (inherited != null && inherited.value() instanceof MapNode b && e.value() instanceof MapNode o) {
        out.put(e.key(), e.withValue(merge(b, o)));
      } else {
        out.put(e.key(), e);
      }
    }
    return new MapNode(out, overlay.location());
  }

  private static MapNode only(MapNode map, List<String> keys) {
    Map<String, Entry> kept = new LinkedHashMap<>(map.entries());
    kept.keySet().retainAll(keys);
    return new MapNode(kept, map.location());
  }

  /** Marks every entry, at any depth, as written in {@code origin}. */
  private static MapNode labelled(MapNode map, String origin) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Entry e : map.all()) {
      Node value = e.value() instanceof MapNode m ? labelled(m, origin) : e.value();
      out.put(e.key(), new Entry(e.key(), e.keyLocation(), value, Optional.of(origin)));
    }
    return new MapNode(out, map.location());
  }
}

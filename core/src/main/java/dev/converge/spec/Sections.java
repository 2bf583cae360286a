package dev.converge.spec;

import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.SpecFiles.SourceFile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The top-level sections of every file of a spec, merged: named entities by kind (each name valid and defined
 * once across all files), OSPF areas by normalised id, and the {@code files} and {@code resources} lists in file
 * order. Only the root may hold {@code site}, {@code defaults} and {@code lab}, the overlay {@link #inLab()} merges
 * over the rest.
 */
final class Sections {

  static final String TOP_LEVEL = "the top-level map";
  static final String LAB = "lab";
  static final List<String> KEYS = List.of("site", "defaults", "profiles", "secrets", "images", "hosts",
      "networks", "ospf", "zones", "jails", "files", "resources", LAB, SpecFiles.INCLUDE);
  /** What {@code lab} may change: the defaults and named entities, not the site's name, files or OSPF areas. */
  static final List<String> LAB_KEYS = List.of("defaults", "profiles", "secrets", "images", "hosts", "networks",
      "zones", "jails");
  private static final List<String> OSPF_KEYS = List.of("areas");

  /** The sections whose entries are named, and what a name of each must look like. */
  enum Kind {
    PROFILE("profiles", "profile", Conversion.identifier()),
    SECRET("secrets", "secret", Conversion.identifier()),
    IMAGE("images", "image", Conversion.identifier()),
    HOST("hosts", "host", Conversion.identifier()),
    NETWORK("networks", "network", Conversion.identifier()),
    ZONE("zones", "zone", Conversion.dnsName()),
    JAIL("jails", "jail", Conversion.identifier());

    final String section;
    final String label;
    final Conversion<String> name;

    Kind(String section, String label, Conversion<String> name) {
      this.section = section;
      this.label = label;
      this.name = name;
    }

    /** {@code a host}, {@code an image}. */
    String article() {
      return ("aeiou".indexOf(label.charAt(0)) >= 0 ? "an " : "a ") + label;
    }
  }

  /** One named entity: its (normalised) name, where the name is written, and its definition. */
  record Named(String name, Location at, Node value) {}

  private final Problems problems;
  private final Map<Kind, Map<String, Named>> named = new EnumMap<>(Kind.class);
  private final Map<String, Named> areas = new LinkedHashMap<>();
  private final List<Node> files = new ArrayList<>();
  private final List<Node> resources = new ArrayList<>();
  private Optional<MapReader> root = Optional.empty();
  private Optional<MapReader> lab = Optional.empty();

  private Sections(Problems problems) {
    this.problems = problems;
    for (Kind k : Kind.values()) {
      named.put(k, new LinkedHashMap<>());
    }
  }

  static Sections collect(List<SourceFile> sources, Problems problems) {
    Sections s = new Sections(problems);
    for (int i = 0; i < sources.size(); i++) {
      s.add(sources.get(i), i == 0);
    }
    return s;
  }

  /**
   * These sections as the lab sees them: the root's {@code lab} map merged over them, maps key by key and anything
   * else replaced. An empty value is kept, and means what it means written in place: {@code lab: { jails: { web:
   * { start: ~ } } }} leaves jail web without a start command, even one its defaults give, while an empty entity,
   * {@code lab: { jails: { dhcp: ~ } }}, drops the whole jail. Empty when the spec has no {@code lab}.
   */
  Optional<Sections> inLab() {
    return lab.map(this::overlaid);
  }

  private Sections overlaid(MapReader overlay) {
    Sections s = new Sections(problems);
    named.forEach((kind, byName) -> s.named.get(kind).putAll(byName));
    s.areas.putAll(areas);
    s.files.addAll(files);
    s.resources.addAll(resources);
    s.root = root.map(r -> new MapReader(merge(r.node(), overlay.node()), TOP_LEVEL, r.node().location(),
        problems));
    for (Kind kind : Kind.values()) {
      if (!overlay.isBlank(kind.section)) {
        overlay.mapNode(kind.section, "a map of " + kind.label + " names to what the lab changes of them")
            .ifPresent(section -> s.overlay(kind, section));
      }
    }
    return s;
  }

  private void overlay(Kind kind, MapNode section) {
    Map<String, Named> byName = named.get(kind);
    for (Entry e : section.all()) {
      String name = name(kind, e);
      Named base = byName.get(name);
      if (e.value() instanceof Node.ScalarNode s && s.isNull()) {
        byName.remove(name);
      } else if (base != null && base.value() instanceof MapNode b && e.value() instanceof MapNode o) {
        byName.put(name, new Named(name, base.at(), merge(b, o)));
      } else {
        byName.put(name, new Named(name, e.keyLocation(), e.value()));
      }
    }
  }

  private static MapNode merge(MapNode base, MapNode overlay) {
    Map<String, Entry> out = new LinkedHashMap<>(base.entries());
    for (Entry e : overlay.all()) {
      Entry under = out.get(e.key());
      if (under != null && under.value() instanceof MapNode b && e.value() instanceof MapNode o) {
        out.put(e.key(), under.withValue(merge(b, o)));
      } else {
        out.put(e.key(), e);
      }
    }
    return new MapNode(out, base.location());
  }

  /** The entity name {@code e} gives, normalised; an invalid one is reported and kept as written. */
  private String name(Kind kind, Entry e) {
    try {
      return kind.name.convert(e.key());
    } catch (Conversion.Invalid invalid) {
      problems.error(e.keyLocation(), kind.label + " name: " + invalid.detail());
      return e.key();
    }
  }

  /** The root file's top-level map, if it is one; {@code site} and {@code defaults} are read from it. */
  Optional<MapReader> root() {
    return root;
  }

  Map<String, Named> named(Kind kind) {
    return Collections.unmodifiableMap(named.get(kind));
  }

  Map<String, Named> ospfAreas() {
    return Collections.unmodifiableMap(areas);
  }

  List<Node> files() {
    return Collections.unmodifiableList(files);
  }

  List<Node> resources() {
    return Collections.unmodifiableList(resources);
  }

  private void add(SourceFile source, boolean isRoot) {
    if (!(source.root() instanceof MapNode map)) {
      problems.error(source.root().location(), "found " + source.root().describe() + " at the top of the file:"
          + " expected a map of sections (" + String.join(", ", KEYS) + ")");
      return;
    }
    MapReader r = new MapReader(map, TOP_LEVEL, map.location(), problems).allowing(KEYS);
    if (isRoot) {
      root = Optional.of(r);
      if (!r.isBlank(LAB)) {
        lab = r.child(LAB, LAB_KEYS);
      }
    } else {
      for (String rootOnly : List.of("site", "defaults", LAB)) {
        r.entry(rootOnly).ifPresent(e -> problems.error(e.keyLocation(), "found `" + rootOnly
            + "` in an included file: expected it only in the root spec file"));
      }
    }
    for (Kind kind : Kind.values()) {
      if (!r.isBlank(kind.section)) {
        r.mapNode(kind.section, "a map of " + kind.label + " names to " + kind.section)
            .ifPresent(m -> addNamed(kind, m));
      }
    }
    if (!r.isBlank("ospf")) {
      r.child("ospf", OSPF_KEYS)
          .filter(ospf -> !ospf.isBlank("areas"))
          .flatMap(ospf -> ospf.mapNode("areas", "a map of area ids to areas"))
          .ifPresent(this::addAreas);
    }
    if (!r.isBlank("files")) {
      r.listNode("files", "a list of files").map(ListNode::items).ifPresent(files::addAll);
    }
    if (!r.isBlank("resources")) {
      r.listNode("resources", "a list of resources").map(ListNode::items).ifPresent(resources::addAll);
    }
  }

  private void addNamed(Kind kind, MapNode section) {
    Map<String, Named> byName = named.get(kind);
    for (Entry e : section.all()) {
      define(byName, kind.label, new Named(name(kind, e), e.keyLocation(), e.value()));
    }
  }

  private void addAreas(MapNode section) {
    for (Entry e : section.all()) {
      Optional<String> id = OspfBinder.areaId(e.key());
      if (id.isEmpty()) {
        problems.error(e.keyLocation(), "OSPF area id: found `" + e.key() + "`, expected a dotted quad such as"
            + " 0.0.0.0 or an integer 0-4294967295");
      }
      define(areas, "OSPF area", new Named(id.orElse(e.key()), e.keyLocation(), e.value()));
    }
  }

  private void define(Map<String, Named> byName, String label, Named entity) {
    Named first = byName.putIfAbsent(entity.name(), entity);
    if (first != null) {
      problems.error(entity.at(), "duplicate " + label + " `" + entity.name() + "`: already defined at "
          + first.at());
    }
  }
}

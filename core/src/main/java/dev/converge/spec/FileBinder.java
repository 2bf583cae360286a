package dev.converge.spec;

import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds {@code files:}: one file per (host, path), with literal {@code content} or a {@code template}, unless it
 * must be absent. Template variables are checked later, against the whole spec ({@link TemplateVariables}).
 */
final class FileBinder {

  static final List<String> KEYS = List.of("host", "path", "content", "template", "mode", "owner", "group",
      "state", Requirements.KEY);
  static final Conversion<String> STATE = Conversion.oneOf("present", "absent");

  private final Binding b;
  private final Map<String, Location> seen = new HashMap<>();

  FileBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Node item : b.sections.files()) {
      MapReader.of(item, context(item, "path", "file"), item.location(), b.problems, KEYS)
          .ifPresent(this::file);
    }
  }

  /** {@code file `/etc/motd`}, or just {@code file} when the entry has no usable path. */
  static String context(Node item, String key, String label) {
    if (item instanceof MapNode m && m.get(key).orElse(null) instanceof ScalarNode s && !s.isNull()) {
      return label + " `" + s.text() + "`";
    }
    return label + " entry";
  }

  private void file(MapReader r) {
    Optional<String> host = r.require("host", b.reference(Kind.HOST));
    Optional<String> path = r.require("path", Conversion.absolutePath());
    Optional<String> state = r.get("state", STATE);
    boolean absent = state.filter("absent"::equals).isPresent();
    Optional<String> content = r.get("content", Conversion.text());
    Optional<Template> template = template(r);
    if (absent) {
      for (String key : List.of("content", "template")) {
        if (r.has(key)) {
          r.error(key, "found `" + key + "` with state: absent: expected no content for a file that must not"
              + " exist");
        }
      }
    } else if (r.has("content") == r.has("template") && (state.isPresent() || !r.has("state"))) {
      if (r.has("content")) {
        r.error("template", "found both `content` and `template`: expected exactly one of them");
      } else {
        r.missingOneOf(List.of("content", "template"), "exactly one: the text as `content`, or as `template`"
            + " with ${...} variables (or state: absent)");
      }
    }
    Optional<Integer> mode = r.get("mode", Conversion.octalMode());
    Optional<String> owner = r.get("owner", Conversion.userName());
    Optional<String> group = r.get("group", Conversion.userName());
    List<Reference> requires = b.requirements.read(r);
    if (host.isEmpty() || path.isEmpty()) {
      return;
    }
    String id = host.get() + ":" + path.get();
    Location first = seen.putIfAbsent(id, r.node().location());
    if (first != null) {
      b.problems.error(r.location("path"), "duplicate file `" + id + "`: already defined at " + first);
      return;
    }
    b.files.add(new FileSpec(host.get(), path.get(), r.node().location(), content, template, mode, owner, group,
        absent, requires));
  }

  private static Optional<Template> template(MapReader r) {
    Optional<String> text = r.get("template", Conversion.text());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    ScalarNode scalar = (ScalarNode) r.node().get("template").orElseThrow();
    try {
      return Optional.of(Template.parse(text.get(), scalar.location(), scalar::locate));
    } catch (Template.SyntaxError e) {
      r.problems().error(e.location(), "`template` in " + r.context() + ": " + e.reason());
      return Optional.empty();
    }
  }
}

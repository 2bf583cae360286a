package dev.converge.spec;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML document as a tree in which every node, and every map key, keeps where it was written. Scalars keep their
 * raw text ({@code mode: 0644} stays {@code "0644"}); what the text means is decided while binding, field by field.
 */
sealed interface Node permits Node.MapNode, Node.ListNode, Node.ScalarNode {

  Location location();

  /** How the node reads in "found ..." messages: {@code a map}, {@code a list}, {@code `text`}. */
  String describe();

  /** What YAML's own rules make of a scalar; binding reads the raw text and uses this only to tell null apart. */
  enum ScalarKind {
    STRING,
    INT,
    FLOAT,
    BOOL,
    NULL
  }

  /**
   * A scalar. {@code textStart} is where the first character of {@code text} sits in the file (for block scalars
   * the line after the {@code |}), and {@code continuationColumn} the column its further lines start at, so that a
   * position inside the text can be traced back to the file.
   */
  record ScalarNode(String text, ScalarKind kind, Location location, Location textStart, int continuationColumn)
      implements Node {

    private static final int SHOWN_CHARACTERS = 40;

    static ScalarNode of(String text, ScalarKind kind, Location location) {
      return new ScalarNode(text, kind, location, location, 1);
    }

    boolean isNull() {
      return kind == ScalarKind.NULL;
    }

    @Override
    public String describe() {
      if (isNull()) {
        return "an empty value";
      }
      String shown = text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) + "…" : text;
      return "`" + shown.replace("\n", "\\n") + "`";
    }

    /** The file position of character {@code index} of the text. */
    Location locate(int index) {
      if (!textStart.isKnown()) {
        return textStart;
      }
      int line = textStart.line();
      int column = textStart.column();
      for (int i = 0; i < index && i < text.length(); i++) {
        if (text.charAt(i) == '\n') {
          line++;
          column = continuationColumn;
        } else {
          column++;
        }
      }
      return new Location(textStart.file(), line, column);
    }
  }

  /** A sequence. */
  record ListNode(List<Node> items, Location location) implements Node {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A mapping with string keys, in the order written.
   *
   * @param entries by key, in order; the node takes the map over (callers pass a map of their own making and never
   *     touch it again), so that large documents are not copied entry by entry
   */
  record MapNode(Map<String, Entry> entries, Location location) implements Node {

    public MapNode {
      entries = Collections.unmodifiableMap(entries);
    }

    static MapNode empty(Location location) {
      return new MapNode(new LinkedHashMap<>(), location);
    }

    Optional<Entry> entry(String key) {
      return Optional.ofNullable(entries.get(key));
    }

    Optional<Node> get(String key) {
      return entry(key).map(Entry::value);
    }

    Collection<Entry> all() {
      return entries.values();
    }

    @Override
    public String describe() {
      return "a map";
    }
  }

  /**
   * One key and its value.
   *
   * @param origin where an inherited entry came from ({@code defaults}, {@code profile `x`}), so that errors in it
   *     name that text rather than the host or jail that inherited it; empty for the entity's own keys
   */
  record Entry(String key, Location keyLocation, Node value, Optional<String> origin) {

    static Entry own(String key, Location keyLocation, Node value) {
      return new Entry(key, keyLocation, value, Optional.empty());
    }

    Entry withValue(Node newValue) {
      return new Entry(key, keyLocation, newValue, origin);
    }
  }
}

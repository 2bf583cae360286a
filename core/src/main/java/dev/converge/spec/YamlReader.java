package dev.converge.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.MapNode;
import dev.converge.spec.Node.ScalarKind;
import dev.converge.spec.Node.ScalarNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns the bytes of one spec file into a {@link Node} tree, refusing what a spec never needs and an attacker
 * would use: text that is not UTF-8, more than one document, anchors and aliases (alias bombs), custom tags,
 * duplicate keys, and nesting beyond a limit. Every refusal is a {@link Problem} with a location; nothing here
 * throws on bad input, hangs or recurses without bound. Thread-safe.
 */
final class YamlReader {

  private static final int MAX_PROBLEMS_PER_FILE = 100;
  private static final String STANDARD_TAG = "tag:yaml.org,2002:";
  private static final Set<String> STANDARD_TAGS = Set.of("str", "int", "float", "bool", "null", "map", "seq");
  private static final String ANCHOR_ADVICE = "anchors and aliases are not supported in specs (they hide repeated"
      + " text and allow alias bombs): write the value out, or share settings with `defaults` and `profiles`";

  private final YAMLFactory factory;
  private final int maxDepth;

  YamlReader(long maxFileBytes, int maxDepth) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, maxFileBytes));
    options.setNestingDepthLimit(maxDepth);
    this.factory = YAMLFactory.builder()
        .loaderOptions(options)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth + 1).build())
        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
        .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
        .build();
    this.maxDepth = maxDepth;
  }

  /**
   * Parses one file. An empty file is an empty map.
   *
   * @return the document's root, or empty when the file could not be read as YAML at all (the reason is in
   *     {@code problems})
   */
  Optional<Node> read(Path file, byte[] bytes, Problems problems) {
    Optional<String> text = decode(file, bytes, problems);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return new Walk(file, text.get(), problems).document();
  }

  /** Strict UTF-8 (a leading byte order mark is dropped); the first bad byte is reported by line and column. */
  private static Optional<String> decode(Path file, byte[] bytes, Problems problems) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    out.flip();
    if (result.isError()) {
      String before = out.toString();
      int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
      int column = before.codePointCount(before.lastIndexOf('\n') + 1, before.length()) + 1;
      problems.error(new Location(file, line, column), String.format(
          "found byte 0x%02x, which is not UTF-8: expected a UTF-8 text file", bytes[in.position()] & 0xff));
      return Optional.empty();
    }
    String text = out.toString();
    return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
  }

  /** Thrown to stop reading a file that cannot be read further; the reason is already in the problems. */
  private static final class Abandon extends RuntimeException {
    Abandon() {
      super(null, null, false, false);
    }
  }

  /** One pass over one file's tokens. */
  private final class Walk {
    private final Path file;
    private final String text;
    private final Problems problems;
    private final int problemsBefore;
    private int[] lineStarts;
    private YAMLParser parser;

    Walk(Path file, String text, Problems problems) {
      this.file = file;
      this.text = text;
      this.problems = problems;
      this.problemsBefore = problems.size();
    }

    Optional<Node> document() {
      try (YAMLParser p = factory.createParser(text)) {
        parser = p;
        JsonToken first = p.nextToken();
        if (first == null) {
          return Optional.of(MapNode.empty(new Location(file, 1, 1)));
        }
        Node root = value(first, 1);
        JsonToken next = p.nextToken();
        if (next != null) {
          error(secondDocument(here()), "found a second YAML document: expected one document per spec file"
              + " (split the site with `include:` instead of `---`)");
          return Optional.empty();
        }
        return Optional.of(root instanceof ScalarNode s && s.isNull() ? MapNode.empty(s.location()) : root);
      } catch (Abandon e) {
        return Optional.empty();
      } catch (JsonProcessingException e) {
        syntaxError(e);
        return Optional.empty();
      } catch (IOException e) {
        error(new Location(file, 1, 1), "cannot read the YAML: " + e.getMessage());
        return Optional.empty();
      }
    }

    private Node value(JsonToken token, int depth) throws IOException {
      Location at = here();
      checkAnchor(at);
      Optional<String> tag = tag(at);
      return switch (token) {
        case START_OBJECT -> map(at, depth);
        case START_ARRAY -> list(at, depth);
        default -> scalar(token, at, tag);
      };
    }

    private MapNode map(Location at, int depth) throws IOException {
      checkDepth(at, depth);
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
        String key = parser.currentName();
        Location keyAt = here();
        Node value = value(next(), depth + 1);
        Entry first = entries.get(key);
        if (first != null) {
          error(keyAt, "found key `" + key + "` a second time: expected each key once (first at line "
              + first.keyLocation().line() + ")");
        } else {
          entries.put(key, Entry.own(key, keyAt, value));
        }
      }
      return new MapNode(entries, at);
    }

    private ListNode list(Location at, int depth) throws IOException {
      checkDepth(at, depth);
      List<Node> items = new ArrayList<>();
      for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
        items.add(value(t, depth + 1));
      }
      return new ListNode(items, at);
    }

    private ScalarNode scalar(JsonToken token, Location at, Optional<String> tag) throws IOException {
      String raw = parser.getText();
      if (parser.isCurrentAlias()) {
        error(at, "found alias `*" + raw + "`: " + ANCHOR_ADVICE);
        return ScalarNode.of("", ScalarKind.NULL, at);
      }
      ScalarKind kind = switch (tag.orElse("")) {
        case "str" -> ScalarKind.STRING;
        case "null" -> ScalarKind.NULL;
        default -> switch (token) {
          case VALUE_NULL -> ScalarKind.NULL;
          case VALUE_TRUE, VALUE_FALSE -> ScalarKind.BOOL;
          case VALUE_NUMBER_INT -> ScalarKind.INT;
          case VALUE_NUMBER_FLOAT -> ScalarKind.FLOAT;
          default -> ScalarKind.STRING;
        };
      };
      String value = raw == null || kind == ScalarKind.NULL ? "" : raw;
      return positioned(value, kind, at);
    }

    /** Finds where the text of a scalar starts: after the quote, or on the line after a block indicator. */
    private ScalarNode positioned(String value, ScalarKind kind, Location at) {
      int offset = offsetOf(at);
      if (offset < 0 || offset >= text.length()) {
        return ScalarNode.of(value, kind, at);
      }
      char c = text.charAt(offset);
      if (c == '"' || c == '\'') {
        return new ScalarNode(value, kind, at, new Location(file, at.line(), at.column() + 1), 1);
      }
      if ((c == '|' || c == '>') && at.line() < lineStarts.length) {
        int indent = blockIndent(at.line());
        return new ScalarNode(value, kind, at, new Location(file, at.line() + 1, indent + 1), indent + 1);
      }
      return new ScalarNode(value, kind, at, at, at.column());
    }

    /** The indentation of the first non-blank line after {@code line} (1-based). */
    private int blockIndent(int line) {
      for (int l = line; l < lineStarts.length; l++) {
        int start = lineStarts[l];
        int i = start;
        while (i < text.length() && text.charAt(i) == ' ') {
          i++;
        }
        if (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
          return i - start;
        }
      }
      return 0;
    }

    private int offsetOf(Location at) {
      if (lineStarts == null) {
        lineStarts = lineStarts(text);
      }
      if (at.line() < 1 || at.line() > lineStarts.length) {
        return -1;
      }
      return lineStarts[at.line() - 1] + at.column() - 1;
    }

    /** The {@code ---} line that opened the document starting at {@code second}, or {@code second} itself. */
    private Location secondDocument(Location second) {
      int offset = offsetOf(second);
      for (int l = second.line(); l >= 1 && offset >= 0; l--) {
        if (text.startsWith("---", lineStarts[l - 1])) {
          return new Location(file, l, 1);
        }
      }
      return second;
    }

    private void checkAnchor(Location at) throws IOException {
      String anchor = parser.getObjectId();
      if (anchor != null) {
        error(at, "found anchor `&" + anchor + "`: " + ANCHOR_ADVICE);
      }
    }

    /** The standard tag's short name ({@code str} for {@code !!str}); any other tag is an error. */
    private Optional<String> tag(Location at) throws IOException {
      String tag = parser.getTypeId();
      if (tag == null) {
        return Optional.empty();
      }
      if (tag.startsWith(STANDARD_TAG) && STANDARD_TAGS.contains(tag.substring(STANDARD_TAG.length()))) {
        return Optional.of(tag.substring(STANDARD_TAG.length()));
      }
      String shown = tag.startsWith(STANDARD_TAG) ? "!!" + tag.substring(STANDARD_TAG.length()) : "!" + tag;
      error(at, "found tag `" + shown + "`: expected no tag, or one of the standard tags !!str, !!int, !!float,"
          + " !!bool, !!null, !!map, !!seq");
      return Optional.empty();
    }

    private void checkDepth(Location at, int depth) {
      if (depth > maxDepth) {
        error(at, "found maps and lists nested " + depth + " levels deep: expected at most " + maxDepth);
        throw new Abandon();
      }
    }

    private void syntaxError(JsonProcessingException e) {
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        Mark mark = m.getProblemMark();
        String context = m.getContext() == null || m.getContextMark() == null ? ""
            : " (" + m.getContext() + " at line " + (m.getContextMark().getLine() + 1) + ", column "
                + (m.getContextMark().getColumn() + 1) + ")";
        problems.error(new Location(file, mark.getLine() + 1, mark.getColumn() + 1),
            "invalid YAML: " + firstLine(m.getProblem()) + context);
        return;
      }
      JsonLocation l = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
      Location at = new Location(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
      String message = firstLine(e.getOriginalMessage());
      problems.error(at, "invalid YAML: " + (message.startsWith("Expected a field name")
          ? "found a key that is a list or a map: expected a plain key such as `hosts`" : message));
    }

    /** The next token; the parser reports a truncated document itself, so an end here is only a safeguard. */
    private JsonToken next() throws IOException {
      JsonToken t = parser.nextToken();
      if (t == null) {
        error(here(), "found the end of the file inside a map or list: expected the rest of the document");
        throw new Abandon();
      }
      return t;
    }

    private Location here() {
      JsonLocation l = parser.currentTokenLocation();
      return new Location(file, l.getLineNr(), l.getColumnNr());
    }

    private void error(Location at, String message) {
      problems.error(at, message);
      if (problems.size() - problemsBefore >= MAX_PROBLEMS_PER_FILE) {
        problems.error(at, "found too many problems in this file: stopped reading it after "
            + MAX_PROBLEMS_PER_FILE);
        throw new Abandon();
      }
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable YAML";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }

  private static int[] lineStarts(String text) {
    int[] starts = new int[64];
    int count = 1;
    for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
      }
      starts[count++] = nl + 1;
    }
    return Arrays.copyOf(starts, count);
  }

}

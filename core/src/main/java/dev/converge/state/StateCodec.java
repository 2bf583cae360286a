package dev.converge.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.converge.resource.ResourceId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The on-disk form of a {@link State}, {@code state.json} at format version 1:
 *
 * <pre>{@code
 * {
 *   "format_version": 1,
 *   "lineage": "4f6c…",
 *   "serial": 7,
 *   "site": "example",
 *   "resources": {
 *     "file/mgmt:/etc/motd": {"created": true, "requires": ["host/mgmt:mgmt"], "since": "2026-11-22T10:00:00Z"}
 *   },
 *   "allocations": {
 *     "jails": {"web": "172.16.3.3"}
 *   }
 * }
 * }</pre>
 *
 * One resource per line keeps the file readable and greppable at 100k resources. Reading is strict: an unknown
 * key, a missing one or a value of the wrong type is an error naming file, line and column, because a state file
 * misread would make converge forget what it owns.
 */
class StateCodec {

  static final int FORMAT_VERSION = 1;

  // every resource id is a distinct field name: interning or canonicalising 100k of them costs more than it saves
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .build();

  /** Writes {@code state} to {@code out}, flushing but not closing it. */
  void write(State state, OutputStream out) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.setPrettyPrinter(new Layout());
      g.writeStartObject();
      g.writeNumberField("format_version", FORMAT_VERSION);
      g.writeStringField("lineage", state.lineage());
      g.writeNumberField("serial", state.serial());
      g.writeStringField("site", state.site());
      g.writeObjectFieldStart("resources");
      for (Ownership o : state.resources().values()) {
        g.writeObjectFieldStart(o.id().toString());
        g.writeBooleanField("created", o.created());
        g.writeArrayFieldStart("requires");
        for (ResourceId required : o.requires()) {
          g.writeString(required.toString());
        }
        g.writeEndArray();
        g.writeStringField("since", IsoInstant.format(o.since()));
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("allocations");
      for (Map.Entry<String, SortedMap<String, String>> network : state.allocations().entrySet()) {
        g.writeObjectFieldStart(network.getKey());
        for (Map.Entry<String, String> allocation : network.getValue().entrySet()) {
          g.writeStringField(allocation.getKey(), allocation.getValue());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  /** Reads {@code file}, which must exist. */
  State read(Path file) throws StateException {
    try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.createParser(in)) {
      return new Reader(p, file).state();
    } catch (JsonProcessingException e) {
      throw new StateException(at(file, e.getLocation()) + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new StateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String at(Path file, JsonLocation location) {
    return location == null ? file.toString() : file + ":" + location.getLineNr() + ":" + location.getColumnNr();
  }

  /** Reads one state object; every error names where in the file it is. */
  private static final class Reader {
    private final JsonParser p;
    private final Path file;
    // requires lists name the same few ids (hosts, zones) over and over: parse each once
    private final Map<String, ResourceId> requiredIds = new HashMap<>();

    Reader(JsonParser p, Path file) {
      this.p = p;
      this.file = file;
    }

    State state() throws IOException, StateException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw error("expected a JSON object, found " + found());
      }
      if (p.nextToken() != JsonToken.FIELD_NAME || !"format_version".equals(p.currentName())) {
        throw error("expected `format_version` as the first key, found " + found());
      }
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw error("expected `format_version` to be a whole number, found " + found());
      }
      if (p.getLongValue() != FORMAT_VERSION) {
        throw error("format_version " + p.getText() + " is not one this converge reads (it reads "
            + FORMAT_VERSION + "); was the state written by a newer converge?");
      }
      String lineage = null;
      Long serial = null;
      String site = null;
      SortedMap<ResourceId, Ownership> resources = null;
      SortedMap<String, SortedMap<String, String>> allocations = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonLocation keyAt = p.currentTokenLocation();
        p.nextToken();
        switch (key) {
          case "lineage" -> lineage = string(key);
          case "serial" -> serial = wholeNumber(key);
          case "site" -> site = string(key);
          case "resources" -> resources = resources();
          case "allocations" -> allocations = allocations();
          default -> throw keyError(key, keyAt, "lineage, serial, site, resources or allocations");
        }
      }
      if (p.nextToken() != null) {
        throw error("expected the end of the file after the state object, found " + found());
      }
      try {
        return new State(required(lineage, "lineage"), required(serial, "serial"), required(site, "site"),
            required(resources, "resources"), required(allocations, "allocations"));
      } catch (IllegalArgumentException e) {
        throw new StateException(file + ": " + e.getMessage());
      }
    }

    private SortedMap<ResourceId, Ownership> resources() throws IOException, StateException {
      expectObject("resources");
      // entries come sorted as written, and sorting sorted entries is linear: cheaper than a TreeMap
      ImmutableSortedMap.Builder<ResourceId, Ownership> resources = ImmutableSortedMap.naturalOrder();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        ResourceId id = parseId(p.currentName());
        JsonLocation where = p.currentTokenLocation();
        p.nextToken();
        resources.put(id, ownership(id, where));
      }
      return resources.buildOrThrow();
    }

    private Ownership ownership(ResourceId id, JsonLocation where) throws IOException, StateException {
      expectObject("resource " + id);
      Boolean created = null;
      List<ResourceId> requires = null;
      Instant since = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonLocation keyAt = p.currentTokenLocation();
        p.nextToken();
        switch (key) {
          case "created" -> created = bool(key);
          case "requires" -> requires = ids(key);
          case "since" -> since = instant(key);
          default -> throw keyError(key, keyAt, "created, requires or since");
        }
      }
      if (created == null || requires == null || since == null) {
        String missing = created == null ? "created" : requires == null ? "requires" : "since";
        throw new StateException(at(file, where) + ": resource " + id + " has no `" + missing + "`");
      }
      try {
        return new Ownership(id, created, ImmutableSortedSet.copyOf(requires), since);
      } catch (IllegalArgumentException e) {
        throw new StateException(at(file, where) + ": " + e.getMessage());
      }
    }

    private SortedMap<String, SortedMap<String, String>> allocations() throws IOException, StateException {
      expectObject("allocations");
      TreeMap<String, SortedMap<String, String>> allocations = new TreeMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String network = p.currentName();
        p.nextToken();
        expectObject("allocations of network " + network);
        TreeMap<String, String> byOwner = new TreeMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String owner = p.currentName();
          p.nextToken();
          byOwner.put(owner, string("address of " + owner + " in " + network));
        }
        allocations.put(network, byOwner);
      }
      return allocations;
    }

    private List<ResourceId> ids(String key) throws IOException, StateException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw error("expected `" + key + "` to be a list of resource ids, found " + found());
      }
      List<ResourceId> result = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        result.add(requiredId(string(key + " entry")));
      }
      return result;
    }

    private ResourceId requiredId(String text) throws StateException {
      ResourceId known = requiredIds.get(text);
      if (known == null) {
        known = parseId(text);
        requiredIds.put(text, known);
      }
      return known;
    }

    private ResourceId parseId(String text) throws StateException {
      try {
        return ResourceId.parse(text);
      } catch (IllegalArgumentException e) {
        throw error("`" + text + "` is not a resource id: " + e.getMessage());
      }
    }

    private Instant instant(String key) throws IOException, StateException {
      String text = string(key);
      try {
        return IsoInstant.parse(text);
      } catch (DateTimeParseException e) {
        throw error("expected `" + key + "` to be an ISO-8601 instant such as 2026-11-22T10:00:00Z, found \""
            + text + "\"");
      }
    }

    private String string(String what) throws IOException, StateException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw error("expected " + quoted(what) + " to be a string, found " + found());
      }
      return p.getText();
    }

    private long wholeNumber(String key) throws IOException, StateException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw error("expected `" + key + "` to be a whole number, found " + found());
      }
      return p.getLongValue();
    }

    private boolean bool(String key) throws IOException, StateException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
        throw error("expected `" + key + "` to be true or false, found " + found());
      }
      return t == JsonToken.VALUE_TRUE;
    }

    private void expectObject(String what) throws IOException, StateException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw error("expected " + quoted(what) + " to be an object, found " + found());
      }
    }

    private <T> T required(T value, String key) throws StateException {
      if (value == null) {
        throw new StateException(file + ": the state object has no `" + key + "`");
      }
      return value;
    }

    private StateException keyError(String key, JsonLocation keyAt, String expected) {
      return new StateException(at(file, keyAt) + ": unknown key `" + key + "`; expected " + expected);
    }

    /** An error at the current token; at the end of the file there is no token, and no useful position. */
    private StateException error(String what) {
      JsonLocation where = p.currentToken() == null ? null : p.currentTokenLocation();
      return new StateException(at(file, where) + ": " + what);
    }

    private String found() throws IOException {
      JsonToken t = p.currentToken();
      if (t == null) {
        return "the end of the file";
      }
      return switch (t) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "a list";
        case FIELD_NAME -> "key `" + p.currentName() + "`";
        case VALUE_STRING -> "\"" + p.getText() + "\"";
        default -> p.getText();
      };
    }

    private static String quoted(String what) {
      return what.contains(" ") ? what : "`" + what + "`";
    }
  }

  /**
   * Lays out the top two levels one entry per line and everything deeper inline, so that each resource and each
   * network's allocations take exactly one line.
   */
  private static final class Layout implements PrettyPrinter {
    private static final int MULTILINE_DEPTH = 2;
    private int depth;

    @Override
    public void writeRootValueSeparator(JsonGenerator g) {}

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
      g.writeRaw('{');
      depth++;
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) throws IOException {
      if (depth <= MULTILINE_DEPTH) {
        newline(g, depth);
      }
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(',');
      if (depth <= MULTILINE_DEPTH) {
        newline(g, depth);
      } else {
        g.writeRaw(' ');
      }
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
      depth--;
      if (depth < MULTILINE_DEPTH && entries > 0) {
        newline(g, depth);
      }
      g.writeRaw('}');
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
      g.writeRaw('[');
      depth++;
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) {}

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
      depth--;
      g.writeRaw(']');
    }

    private static void newline(JsonGenerator g, int level) throws IOException {
      g.writeRaw('\n');
      for (int i = 0; i < level; i++) {
        g.writeRaw("  ");
      }
    }
  }
}

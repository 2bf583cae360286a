package dev.converge.images;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/**
 * The marker {@code image.json} of a finished build: its digest, the source it was built from, its size in bytes and
 * when it was built (ISO-8601). Written last and on one line, so a half-built image has none and a probe reads every
 * marker of a host line by line.
 */
record Marker(String digest, Map<String, Object> source, long bytes, String built) {

  private static final ObjectMapper JSON = new ObjectMapper();

  String toJson() {
    Map<String, Object> fields = new TreeMap<>();
    fields.put("digest", digest);
    fields.put("source", source);
    fields.put("bytes", bytes);
    fields.put("built", built);
    try {
      return JSON.writeValueAsString(fields) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of canonical values is always JSON", e);
    }
  }

  /**
   * Reads a marker.
   *
   * @throws IllegalArgumentException when {@code json} is not a marker (a digest string and a source map at least)
   */
  @SuppressWarnings("unchecked")
  static Marker parse(String json) {
    Map<String, Object> fields;
    try {
      fields = JSON.readValue(json, Map.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (!(fields.get("digest") instanceof String digest) || !(fields.get("source") instanceof Map<?, ?> source)) {
      throw new IllegalArgumentException("no `digest` string and `source` map in " + json.strip());
    }
    long bytes = fields.get("bytes") instanceof Number n ? n.longValue() : 0;
    String built = fields.get("built") instanceof String s ? s : "";
    return new Marker(digest, (Map<String, Object>) source, bytes, built);
  }
}

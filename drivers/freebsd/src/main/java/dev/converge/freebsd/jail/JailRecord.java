package dev.converge.freebsd.jail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.converge.resource.Properties;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A jail's {@code jail.json}, beside (not inside) its root: the mark that converge made the jail (no other jail is
 * ever touched), the image build it was made from ({@code image-dir}, which keeps that build from being pruned), its
 * ZFS dataset when its root is a clone, and the properties last applied (users and packages are observed from here).
 */
record JailRecord(String imageDir, Optional<String> dataset, Properties properties) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("image-dir", imageDir);
    dataset.ifPresent(d -> m.put("dataset", d));
    m.put("properties", properties.asMap());
    try {
      return JSON.writeValueAsString(m) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("jail.json of canonical properties cannot fail to serialise", e);
    }
  }

  /**
   * The record in {@code json}.
   *
   * @throws IllegalArgumentException when it is not a record this driver wrote
   */
  static JailRecord parse(String json) {
    Map<String, Object> m;
    try {
      m = JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("jail.json is not JSON: " + e.getOriginalMessage(), e);
    }
    if (m == null || !(m.get("image-dir") instanceof String dir) || !(m.get("properties") instanceof Map<?, ?> p)) {
      throw new IllegalArgumentException("jail.json has no image-dir and properties");
    }
    Map<String, Object> props = new LinkedHashMap<>();
    p.forEach((k, v) -> props.put(String.valueOf(k), v));
    return new JailRecord(dir, Optional.ofNullable(m.get("dataset")).map(String::valueOf), Properties.of(props));
  }
}

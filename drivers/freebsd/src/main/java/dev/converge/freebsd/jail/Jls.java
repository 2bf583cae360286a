package dev.converge.freebsd.jail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The running jails as {@code jls -n --libxo json} prints them (jls.c, libxo version 2): every parameter by its
 * name, numbers as strings ({@code "jid":"4"}), booleans as JSON booleans, addresses as arrays.
 */
final class Jls {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One running jail. */
  record Entry(int jid, String name, String hostname, String path, List<String> ip4) {}

  private Jls() {}

  /**
   * The running jails by name.
   *
   * @throws IllegalArgumentException when {@code json} is not jls's document
   */
  static Map<String, Entry> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("jls printed no JSON document: " + e.getOriginalMessage(), e);
    }
    JsonNode jails = root == null ? null : root.path("jail-information").get("jail");
    if (jails == null || !jails.isArray()) {
      throw new IllegalArgumentException("jls printed no jail-information.jail array");
    }
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (JsonNode j : jails) {
      List<String> ip4 = new ArrayList<>();
      j.path("ip4.addr").forEach(a -> ip4.add(a.asText()));
      String jid = j.path("jid").asText();
      if (!jid.matches("[0-9]{1,9}")) {
        throw new IllegalArgumentException("jls printed jid `" + jid + "`: expected a number");
      }
      Entry e = new Entry(Integer.parseInt(jid), j.path("name").asText(), j.path("host.hostname").asText(),
          j.path("path").asText(), List.copyOf(ip4));
      byName.put(e.name(), e);
    }
    return byName;
  }
}

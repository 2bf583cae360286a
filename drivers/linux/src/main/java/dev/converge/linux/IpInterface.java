package dev.converge.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One interface as {@code ip -j -d addr show} prints it: its name, its kind ({@code linkinfo.info_kind}: dummy,
 * bridge, veth…; empty for a physical device or {@code lo}), whether it is administratively up, and its addresses.
 *
 * @param loopback whether the kernel flags it LOOPBACK (only {@code lo})
 * @param data the scalar fields of {@code linkinfo.info_data} as text: a GRE tunnel's {@code local} and
 *     {@code remote}, for instance
 */
record IpInterface(String name, Optional<String> kind, boolean up, boolean loopback, List<InterfaceAddress> addresses,
    Map<String, String> data) {

  private static final ObjectMapper JSON = new ObjectMapper();

  IpInterface {
    addresses = List.copyOf(addresses);
    data = Map.copyOf(data);
  }

  /**
   * Every interface of the output, by name.
   *
   * @throws IllegalStateException when the output is not the JSON array iproute2 prints
   */
  static Map<String, IpInterface> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("`ip -j -d addr show` printed no JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalStateException("`ip -j -d addr show` printed no JSON array");
    }
    Map<String, IpInterface> out = new LinkedHashMap<>();
    for (JsonNode i : root) {
      String name = i.path("ifname").asText("");
      if (name.isEmpty()) {
        throw new IllegalStateException("`ip -j -d addr show` printed an interface without `ifname`");
      }
      List<String> flags = new ArrayList<>();
      i.path("flags").forEach(f -> flags.add(f.asText()));
      String kind = i.path("linkinfo").path("info_kind").asText("");
      List<InterfaceAddress> addresses = new ArrayList<>();
      for (JsonNode a : i.path("addr_info")) {
        if (a.has("local") && a.has("prefixlen")) {
          addresses.add(InterfaceAddress.parse(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
        }
      }
      Map<String, String> data = new LinkedHashMap<>();
      i.path("linkinfo").path("info_data").fields().forEachRemaining(f -> {
        if (f.getValue().isValueNode()) {
          data.put(f.getKey(), f.getValue().asText());
        }
      });
      out.put(name, new IpInterface(name, kind.isEmpty() ? Optional.empty() : Optional.of(kind),
          flags.contains("UP"), flags.contains("LOOPBACK"), addresses, data));
    }
    return out;
  }
}

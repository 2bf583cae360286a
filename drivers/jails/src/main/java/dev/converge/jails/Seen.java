package dev.converge.jails;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the probe script printed about one jail: its record ({@code jail.json}) and the live facts beside it.
 *
 * @param record the record's {@code properties} (what was last applied) and {@code image-dir}; empty when the jail
 *     has no converge record (absent)
 * @param markerDigest the digest in the marker of the image build the jail runs on
 * @param address the jail side's IPv4 address and prefix ({@code 172.16.3.2/32}); empty without a namespace
 * @param gateway the namespace's default route
 * @param pid the start process ({@code unshare}) while it runs
 * @param liveHostname the hostname the jail's processes see
 * @param mounts mount point → options, for the root and everything under it
 * @param files root-relative path → content of the files converge provisions
 * @param sudoers account → {@code MODE UID GID} of its converge sudoers file
 * @param keys account → its authorized_keys
 * @param installed packages dpkg reports installed; empty when the root has no dpkg
 */
record Seen(String name, Optional<Record> record, Optional<String> markerDigest, boolean namespace,
    Optional<String> address, Optional<String> gateway, Optional<Long> pid, Optional<String> liveHostname,
    Map<String, String> mounts, Map<String, String> files, Map<String, String> sudoers, Map<String, Keys> keys,
    Optional<Set<String>> installed) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A jail's {@code jail.json}. */
  record Record(String imageDir, Map<String, Object> properties) {}

  /** An authorized_keys file: {@code MODE UID GID} and its text. */
  record Keys(String stat, String text) {}

  /**
   * Every jail of the probe's output, by name.
   *
   * @throws IllegalStateException when the output is not what the script prints
   */
  static Map<String, Seen> parse(String output) {
    Map<String, Seen> out = new LinkedHashMap<>();
    Builder current = null;
    for (String line : output.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f[0].equals("jail")) {
        if (current != null) {
          out.put(current.name, current.build());
        }
        current = new Builder(field(f, 1, line));
        continue;
      }
      if (current == null) {
        throw new IllegalStateException("a line before the first jail: `" + line + "`");
      }
      current.add(f, line);
    }
    if (current != null) {
      out.put(current.name, current.build());
    }
    return out;
  }

  boolean present() {
    return record.isPresent();
  }

  boolean running() {
    return pid.isPresent();
  }

  private static String field(String[] f, int i, String line) {
    if (f.length <= i) {
      throw new IllegalStateException("a line with too few fields: `" + line + "`");
    }
    return f[i];
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static final class Builder {
    private final String name;
    private Optional<Record> record = Optional.empty();
    private Optional<String> marker = Optional.empty();
    private boolean namespace;
    private Optional<String> address = Optional.empty();
    private Optional<String> gateway = Optional.empty();
    private Optional<Long> pid = Optional.empty();
    private Optional<String> hostname = Optional.empty();
    private final Map<String, String> mounts = new TreeMap<>();
    private final Map<String, String> files = new TreeMap<>();
    private final Map<String, String> sudoers = new TreeMap<>();
    private final Map<String, Keys> keys = new TreeMap<>();
    private Optional<Set<String>> installed = Optional.empty();

    Builder(String name) {
      this.name = name;
    }

    void add(String[] f, String line) {
      try {
        switch (f[0]) {
          case "absent" -> { }
          case "record" -> {
            JsonNode node = JSON.readTree(decode(field(f, 1, line)));
            Map<String, Object> properties = JSON.convertValue(node.path("properties"),
                new TypeReference<Map<String, Object>>() { });
            record = Optional.of(new Record(node.path("image-dir").asText(""),
                properties == null ? Map.of() : properties));
          }
          case "marker" -> marker = Optional.of(JSON.readTree(decode(field(f, 1, line))).path("digest").asText(""));
          case "address" -> {
            namespace = true;
            address = firstInet(decode(field(f, 1, line)));
          }
          case "route" -> gateway = defaultGateway(decode(field(f, 1, line)));
          case "running" -> {
            pid = Optional.of(Long.parseLong(field(f, 1, line)));
            hostname = Optional.of(field(f, 2, line)).filter(h -> !h.isEmpty());
          }
          case "mount" -> mounts.put(field(f, 1, line), field(f, 2, line));
          case "file" -> files.put(field(f, 1, line), decode(field(f, 2, line)));
          case "sudo" -> sudoers.put(field(f, 1, line), field(f, 2, line));
          case "keys" -> keys.put(field(f, 1, line), new Keys(field(f, 2, line), decode(field(f, 3, line))));
          case "dpkg" -> installed = Optional.of(Set.of(field(f, 1, line).strip().split(" +")));
          default -> throw new IllegalStateException("an unknown line `" + line + "`");
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalStateException("jail " + name + ": cannot read `" + line + "`: " + e.getMessage(), e);
      }
    }

    Seen build() {
      return new Seen(name, record, marker, namespace, address, gateway, pid, hostname, Map.copyOf(mounts),
          Map.copyOf(files), Map.copyOf(sudoers), Map.copyOf(keys), installed);
    }

    /** The first IPv4 address of {@code ip -j addr show dev eth0}, as {@code local/prefixlen}. */
    private static Optional<String> firstInet(String json) throws IOException {
      if (json.isBlank()) {
        return Optional.empty();
      }
      for (JsonNode i : JSON.readTree(json)) {
        for (JsonNode a : i.path("addr_info")) {
          if (a.path("family").asText().equals("inet")) {
            return Optional.of(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
          }
        }
      }
      return Optional.empty();
    }

    private static Optional<String> defaultGateway(String json) throws IOException {
      if (json.isBlank()) {
        return Optional.empty();
      }
      List<String> gateways = new ArrayList<>();
      JSON.readTree(json).forEach(r -> gateways.add(r.path("gateway").asText("")));
      return gateways.stream().filter(g -> !g.isEmpty()).findFirst();
    }
  }
}

package dev.converge.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.driver.ExecResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The iproute2 commands the lab runs, each as an argv. Namespaces are listed from {@code /run/netns}, which is where
 * {@code ip netns add} puts them.
 */
final class Ip {

  static final Path NETNS_DIR = Path.of("/run/netns");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One interface as {@code ip -j link} shows it. */
  record Link(String name, Optional<String> master, Optional<String> alias, List<String> flags) {
    boolean isUp() {
      return flags.contains("UP");
    }
  }

  private Ip() {}

  /** The network namespaces {@code ip netns} knows, by name. */
  static List<String> namespaces() {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(NETNS_DIR)) {
      return names;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(NETNS_DIR)) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    } catch (IOException e) {
      throw new LabException("cannot list " + NETNS_DIR + ": " + e.getMessage(), e);
    }
    return names;
  }

  static Path namespaceFile(String netns) {
    return NETNS_DIR.resolve(netns);
  }

  static void addNamespace(String netns) {
    ip("netns", "add", netns);
  }

  /** The interfaces of the root namespace. */
  static List<Link> links() {
    return parseLinks(ip("-j", "link", "show"));
  }

  /** The interfaces of namespace {@code netns}. */
  static List<Link> links(String netns) {
    return parseLinks(ip("-n", netns, "-j", "link", "show"));
  }

  static Optional<Link> link(String name) {
    return links().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** A bridge, labelled with {@code alias}, holding {@code gateway} (address/prefix), still down. */
  static void addBridge(String name, String alias, String gateway) {
    ip("link", "add", name, "type", "bridge");
    ip("link", "set", "dev", name, "alias", alias);
    ip("address", "add", gateway, "dev", name);
  }

  static void setUp(String name) {
    ip("link", "set", "dev", name, "up");
  }

  /**
   * A veth pair: {@code rootEnd} in the root namespace, enslaved to {@code bridge} and up (one atomic request, so
   * no unattached end is ever left behind), and its peer {@value LabNames#MANAGEMENT_INTERFACE} in {@code netns}
   * with the hardware address {@code mac}.
   */
  static void addManagementVeth(String rootEnd, String bridge, String netns, String mac) {
    ip("link", "add", rootEnd, "master", bridge, "up", "type", "veth", "peer", "name",
        LabNames.MANAGEMENT_INTERFACE, "address", mac, "netns", netns);
  }

  /** A veth pair between two namespaces, both ends up, without addresses. */
  static void addLink(String netnsA, String interfaceA, String netnsB, String interfaceB) {
    ip("-n", netnsA, "link", "add", interfaceA, "up", "type", "veth", "peer", "name", interfaceB, "netns", netnsB);
    ip("-n", netnsB, "link", "set", "dev", interfaceB, "up");
  }

  static void deleteLink(String netns, String name) {
    ip("-n", netns, "link", "del", "dev", name);
  }

  /**
   * Runs {@code commands} (lines of {@code ip -batch}) in one process, going on after a failed line; returns the
   * tool's complaints (empty when every line succeeded). For teardown, where a part may already be gone.
   */
  static String batch(List<String> commands) {
    if (commands.isEmpty()) {
      return "";
    }
    ExecResult r = ProcessRunner.run(List.of(Tool.IP.path(), "-force", "-batch", "-"),
        (String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8), ProcessRunner.DEFAULT_TIMEOUT,
        Map.of());
    return r.ok() ? "" : r.err().strip();
  }

  /** Every IPv4 route destination of every table, {@code default} excluded, as {@code a.b.c.d[/n]}. */
  static List<String> ipv4RouteDestinations() {
    return parseRouteDestinations(ip("-j", "-4", "route", "show", "table", "all"));
  }

  static List<String> parseRouteDestinations(String json) {
    List<String> out = new ArrayList<>();
    for (JsonNode route : tree(json)) {
      String dst = route.path("dst").asText("");
      if (!dst.isEmpty() && !dst.equals("default")) {
        out.add(dst);
      }
    }
    return out;
  }

  static List<Link> parseLinks(String json) {
    List<Link> out = new ArrayList<>();
    for (JsonNode link : tree(json)) {
      List<String> flags = new ArrayList<>();
      link.path("flags").forEach(f -> flags.add(f.asText()));
      out.add(new Link(link.path("ifname").asText(), text(link, "master"), text(link, "ifalias"),
          List.copyOf(flags)));
    }
    return out;
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }

  private static JsonNode tree(String json) {
    try {
      return json.isBlank() ? JSON.createArrayNode() : JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new LabException("cannot parse the JSON of `ip -j`: " + e.getOriginalMessage(), e);
    }
  }

  private static String ip(String... args) {
    return ProcessRunner.check(Stream.concat(Stream.of(Tool.IP.path()), Stream.of(args)).toList());
  }
}

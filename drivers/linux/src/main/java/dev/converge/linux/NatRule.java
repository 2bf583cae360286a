package dev.converge.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A rule of converge's nftables table ({@code ip converge}) that belongs to a network: its comment is
 * {@code converge:NETWORK}. What {@code nft -j list table ip converge} prints of it: the handle (to delete it by),
 * the {@code oifname} it matches, the {@code ip saddr} prefix it matches and whether its verdict is masquerade.
 */
record NatRule(long handle, Optional<String> outputInterface, Optional<String> source, boolean masquerade) {

  static final String TABLE = "converge";
  static final String CHAIN = "postrouting";
  static final String COMMENT_PREFIX = "converge:";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * converge's rules of the chain, by network, in the order nft lists them.
   *
   * @throws IllegalStateException when the output is not nft's JSON
   */
  static Map<String, List<NatRule>> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("`nft -j list table ip converge` printed no JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.path("nftables").isArray()) {
      throw new IllegalStateException("`nft -j list table ip converge` printed no `nftables` list");
    }
    Map<String, List<NatRule>> out = new TreeMap<>();
    for (JsonNode item : root.get("nftables")) {
      JsonNode rule = item.get("rule");
      if (rule == null || !TABLE.equals(rule.path("table").asText()) || !CHAIN.equals(rule.path("chain").asText())
          || !rule.path("comment").asText().startsWith(COMMENT_PREFIX)) {
        continue;
      }
      String network = rule.get("comment").asText().substring(COMMENT_PREFIX.length());
      out.computeIfAbsent(network, k -> new ArrayList<>()).add(rule(rule));
    }
    return out;
  }

  private static NatRule rule(JsonNode rule) {
    Optional<String> oif = Optional.empty();
    Optional<String> source = Optional.empty();
    boolean masquerade = false;
    for (JsonNode e : rule.path("expr")) {
      // masquerade prints as {"masquerade": null}: its presence is what counts
      if (e.has("masquerade")) {
        masquerade = true;
      }
      JsonNode match = e.get("match");
      if (match == null || !"==".equals(match.path("op").asText())) {
        continue;
      }
      JsonNode left = match.path("left");
      JsonNode right = match.path("right");
      if ("oifname".equals(left.path("meta").path("key").asText()) && right.isTextual()) {
        oif = Optional.of(right.asText());
      } else if ("saddr".equals(left.path("payload").path("field").asText())
          && "ip".equals(left.path("payload").path("protocol").asText())) {
        source = right.isTextual() ? Optional.of(right.asText() + "/32")
            : right.has("prefix") ? Optional.of(right.get("prefix").path("addr").asText() + "/"
                + right.get("prefix").path("len").asInt()) : Optional.of("(a set or range)");
      }
    }
    return new NatRule(rule.path("handle").asLong(), oif, source, masquerade);
  }
}

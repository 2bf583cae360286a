package dev.converge.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.resource.Change;
import dev.converge.resource.FieldChange;
import dev.converge.resource.Sensitive;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The machine-readable plan ({@code plan --json}) and the saved-plan file ({@code plan --out}), one format. Carries
 * a {@code format_version} ("1.0": the minor number grows with additive changes, the major with breaking ones).
 * Sensitive values are written as {@code "(sensitive)"} with {@code "sensitive": true}; their real values are never
 * in the file — applying a saved plan recomputes them and checks the {@link Fingerprint}.
 */
public final class PlanJson {

  public static final String FORMAT_VERSION = "1.1";
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PlanJson() {}

  /**
   * What a saved plan file says: enough to re-make the plan from the same spec and state, check that nothing moved,
   * and name what it would have done.
   *
   * @param spec absolute path of the root spec file the plan was made from
   * @param stateDir absolute path of the state directory it was made against
   */
  public record Saved(String site, String spec, String stateDir, Fingerprint fingerprint,
      Map<String, String> actions) {}

  /** The saved-plan file: the plan plus the spec file and state directory it was made from. */
  public static String render(Plan plan, Path spec, Path stateDir) {
    ObjectNode root = tree(plan);
    root.put("spec", spec.toAbsolutePath().normalize().toString());
    root.put("state_dir", stateDir.toAbsolutePath().normalize().toString());
    return write(root);
  }

  public static ObjectNode tree(Plan plan) {
    ObjectNode root = NODES.objectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("site", plan.site());
    ObjectNode fp = root.putObject("fingerprint");
    fp.put("spec_digest", plan.fingerprint().specDigest());
    fp.put("state_lineage", plan.fingerprint().stateLineage());
    fp.put("state_serial", plan.fingerprint().stateSerial());
    ObjectNode digests = fp.putObject("changes");
    plan.fingerprint().changeDigests().forEach(digests::put);
    ArrayNode changes = root.putArray("changes");
    plan.changes().forEach(c -> {
      ObjectNode change = change(c);
      List<String> rendered = plan.renderedDiff(c.id());
      change.put("rendered_diff", rendered.isEmpty() ? null : String.join("\n", rendered) + "\n");
      changes.add(change);
    });
    ArrayNode notes = root.putArray("notes");
    plan.notes().forEach(notes::add);
    ObjectNode summary = root.putObject("summary");
    plan.counts().forEach((t, n) -> summary.put(t.verb(), n));
    return root;
  }

  /** One change as JSON: address, kind, target, name, action, reason, from_target, fields. */
  public static ObjectNode change(Change c) {
    ObjectNode n = NODES.objectNode();
    n.put("address", c.id().toString());
    n.put("kind", c.id().kind());
    n.put("target", c.id().target());
    n.put("name", c.id().name());
    n.put("action", c.type().verb());
    n.put("reason", c.reason().orElse(null));
    n.put("from_target", c.fromTarget().orElse(null));
    ArrayNode fields = n.putArray("fields");
    for (FieldChange f : c.fields()) {
      ObjectNode fn = fields.addObject();
      fn.put("field", f.field());
      boolean sensitive = f.isSensitive();
      fn.set("before", f.before().map(v -> value(v, sensitive)).orElse(NODES.nullNode()));
      fn.set("after", f.after().map(v -> value(v, sensitive)).orElse(NODES.nullNode()));
      fn.put("sensitive", sensitive);
    }
    return n;
  }

  /** A canonical value as JSON; anything sensitive (or inside a sensitive field) becomes "(sensitive)". */
  public static JsonNode value(Object v, boolean redact) {
    if (redact || v instanceof Sensitive) {
      return NODES.textNode(Sensitive.REDACTED);
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    if (v instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof List<?> list) {
      ArrayNode a = NODES.arrayNode();
      list.forEach(e -> a.add(value(e, false)));
      return a;
    }
    if (v instanceof Map<?, ?> map) {
      ObjectNode o = NODES.objectNode();
      map.forEach((k, e) -> o.set(String.valueOf(k), value(e, false)));
      return o;
    }
    return NODES.textNode(String.valueOf(v));
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a saved plan.
   *
   * @throws IOException if it is not a converge plan or its major format version is not ours
   */
  public static Saved read(byte[] bytes) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException("not a converge plan file (not JSON: " + e.getOriginalMessage() + ")");
    }
    String version = Optional.ofNullable(root.get("format_version")).map(JsonNode::asText).orElse("");
    if (!root.isObject() || !root.has("fingerprint") || version.isEmpty()) {
      throw new IOException("not a converge plan file (no format_version/fingerprint)");
    }
    if (!version.split("\\.")[0].equals(FORMAT_VERSION.split("\\.")[0])) {
      throw new IOException("plan format " + version + " is not supported (this converge reads " + FORMAT_VERSION + ")");
    }
    JsonNode fp = root.get("fingerprint");
    TreeMap<String, String> digests = new TreeMap<>();
    fp.path("changes").properties().forEach(e -> digests.put(e.getKey(), e.getValue().asText()));
    TreeMap<String, String> actions = new TreeMap<>();
    root.path("changes").forEach(c -> actions.put(c.path("address").asText(), c.path("action").asText()));
    if (!root.hasNonNull("spec") || !root.hasNonNull("state_dir")) {
      throw new IOException("not a saved plan (no spec/state_dir): make one with `converge plan --out FILE`");
    }
    return new Saved(root.path("site").asText(), root.path("spec").asText(), root.path("state_dir").asText(),
        new Fingerprint(fp.path("spec_digest").asText(), fp.path("state_lineage").asText(),
            fp.path("state_serial").asLong(), digests),
        actions);
  }
}

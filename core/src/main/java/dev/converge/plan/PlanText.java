package dev.converge.plan;

import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.FieldChange;
import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders a plan for humans, Terraform-style: {@code + create}, {@code ~ update} with {@code field: before → after},
 * {@code -/+ replace (because …)}, {@code - delete}, {@code > move}, unified diffs for multi-line text, then the
 * summary line; a resource its driver renders as text also shows the line diff of that text. Sensitive values print
 * as {@code (sensitive)}. Colours only when asked for.
 */
public final class PlanText {

  /** Lines of a created file's content shown before eliding the rest. */
  static final int MAX_CREATED_LINES = 40;

  private final boolean colour;

  private PlanText(boolean colour) {
    this.colour = colour;
  }

  public static PlanText plain() {
    return new PlanText(false);
  }

  public static PlanText coloured() {
    return new PlanText(true);
  }

  /** The whole plan: every change, a blank line, the summary. Empty plans render as the summary alone. */
  public String render(Plan plan) {
    StringBuilder sb = new StringBuilder();
    for (Change c : plan.changes()) {
      sb.append(change(c, plan.renderedDiff(c.id())));
    }
    if (!plan.changes().isEmpty()) {
      sb.append('\n');
    }
    sb.append(plan.summary()).append('\n');
    return sb.toString();
  }

  /** One change with its fields, each line ending in a newline. */
  public String change(Change c) {
    return change(c, List.of());
  }

  /**
   * One change with its fields, then, under {@code rendered:}, the line diff of the text its driver renders the
   * resource as ({@link Plan#renderedDiff}); each line ending in a newline.
   */
  public String change(Change c, List<String> renderedDiff) {
    StringBuilder sb = new StringBuilder();
    sb.append(paint(c.type(), c.type().symbol() + " " + c.type().verb())).append(' ').append(title(c));
    c.reason().filter(r -> c.type() == ChangeType.REPLACE).ifPresent(r -> sb.append(" (because ").append(r).append(')'));
    sb.append('\n');
    if (c.type() == ChangeType.DELETE || c.type() == ChangeType.MOVE) {
      return sb.toString();
    }
    for (FieldChange f : c.fields()) {
      field(sb, c.type(), f);
    }
    if (!renderedDiff.isEmpty()) {
      sb.append("      rendered:\n");
      renderedDiff.forEach(line -> sb.append("        ").append(paintLine(line)).append('\n'));
    }
    return sb.toString();
  }

  /** {@code file/mgmt:/etc/motd}; a move prints {@code jail/web server2 → server3}. */
  public static String title(Change c) {
    if (c.type() == ChangeType.MOVE) {
      return c.id().kind() + "/" + c.id().name() + " " + c.fromTarget().orElse("?") + " → " + c.id().target();
    }
    return c.id().toString();
  }

  private void field(StringBuilder sb, ChangeType type, FieldChange f) {
    String indent = "      ";
    // a map or list holding a secret shows its other entries; display() redacts the secret itself
    if (f.before().orElse(null) instanceof Sensitive || f.after().orElse(null) instanceof Sensitive) {
      sb.append(indent).append(f.field()).append(": ")
          .append(f.before().isPresent() && type != ChangeType.CREATE ? Sensitive.REDACTED + " → " : "")
          .append(Sensitive.REDACTED).append('\n');
      return;
    }
    Optional<String> beforeText = f.before().filter(String.class::isInstance).map(String.class::cast);
    Optional<String> afterText = f.after().filter(String.class::isInstance).map(String.class::cast);
    boolean multiline = beforeText.map(s -> s.contains("\n")).orElse(false)
        || afterText.map(s -> s.contains("\n")).orElse(false);
    if (multiline) {
      sb.append(indent).append(f.field()).append(":\n");
      List<String> lines = f.before().isEmpty()
          ? created(afterText.orElse(""))
          : UnifiedDiff.between(beforeText.orElse(display(f.before().get()) + "\n"), afterText.orElse(""));
      for (String line : lines) {
        sb.append(indent).append("  ").append(paintLine(line)).append('\n');
      }
      return;
    }
    sb.append(indent).append(f.field()).append(": ");
    if (f.before().isPresent()) {
      sb.append(display(f.before().get())).append(" → ");
    } else if (type != ChangeType.CREATE) {
      sb.append("(unset) → ");
    }
    sb.append(f.after().map(PlanText::display).orElse("(unset)")).append('\n');
  }

  private static List<String> created(String text) {
    List<String> lines = UnifiedDiff.lines(text);
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < Math.min(lines.size(), MAX_CREATED_LINES); i++) {
      out.add("+" + lines.get(i));
    }
    if (lines.size() > MAX_CREATED_LINES) {
      out.add("… " + (lines.size() - MAX_CREATED_LINES) + " more lines");
    }
    return out;
  }

  /** A value on one line: strings JSON-quoted, lists and maps JSON-like, sensitive redacted. */
  public static String display(Object v) {
    if (v instanceof Sensitive) {
      return Sensitive.REDACTED;
    }
    if (v instanceof String s) {
      return quote(s);
    }
    if (v instanceof List<?> l) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        sb.append(i > 0 ? ", " : "").append(display(l.get(i)));
      }
      return sb.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "" : ", ").append(e.getKey()).append(": ").append(display(e.getValue()));
        first = false;
      }
      return sb.append('}').toString();
    }
    if (v instanceof Properties p) {
      return display(p.asMap());
    }
    return String.valueOf(v);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.chars().forEach(c -> {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", c));
          } else {
            sb.append((char) c);
          }
        }
      }
    });
    return sb.append('"').toString();
  }

  private String paint(ChangeType type, String text) {
    return colour ? "\u001b[" + colourCode(type) + "m" + text + "\u001b[0m" : text;
  }

  /** The ANSI colour of a change type: green create, yellow update, magenta replace, red delete, cyan move. */
  public static String colourCode(ChangeType type) {
    return switch (type) {
      case CREATE -> "32";
      case UPDATE -> "33";
      case REPLACE -> "35";
      case DELETE -> "31";
      case MOVE -> "36";
    };
  }

  private String paintLine(String line) {
    if (!colour || line.isEmpty()) {
      return line;
    }
    return switch (line.charAt(0)) {
      case '+' -> "\u001b[32m" + line + "\u001b[0m";
      case '-' -> "\u001b[31m" + line + "\u001b[0m";
      case '@' -> "\u001b[36m" + line + "\u001b[0m";
      default -> line;
    };
  }
}

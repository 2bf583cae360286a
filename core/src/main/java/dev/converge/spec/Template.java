package dev.converge.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * File content with placeholders: {@code ${site}}, {@code ${host.name}}, {@code ${hosts.web.address}},
 * {@code ${jails.dns.address}}, {@code ${networks.lan.cidr}}, {@code ${secret.api-token}} and so on (the README lists
 * every variable). {@code $$} writes a literal {@code $}. Parsing checks only the syntax; the loader checks that
 * every variable exists, the compiler renders.
 */
public final class Template {

  private static final Pattern VARIABLE = Pattern.compile("[a-z]+(\\.[A-Za-z0-9_-]+)*");

  private final String text;
  private final Location location;
  private final List<Object> parts;

  private Template(String text, Location location, List<Object> parts) {
    this.text = text;
    this.location = location;
    this.parts = List.copyOf(parts);
  }

  /** A placeholder: the variable's dotted name and where it was written. */
  public record Placeholder(String variable, Location location) {}

  /** A resolved variable: its text and whether it came from a secret (which makes the whole result sensitive). */
  public record Value(String text, boolean sensitive) {}

  /** The rendered text; {@code sensitive} if any secret went into it. */
  public record Rendered(String text, boolean sensitive) {}

  /** A template that does not parse: where, and why. The message is {@code location: reason}. */
  public static final class SyntaxError extends IllegalArgumentException {
    private final transient Location location;
    private final String reason;

    SyntaxError(Location location, String reason) {
      super(location + ": " + reason);
      this.location = location;
      this.reason = reason;
    }

    public Location location() {
      return location;
    }

    public String reason() {
      return reason;
    }
  }

  /**
   * Parses {@code text}, written at {@code location} (the start of the YAML scalar).
   *
   * @throws SyntaxError for an unclosed {@code ${}, an empty or malformed variable, naming where it is
   */
  public static Template parse(String text, Location location) {
    return parse(text, location, index -> offset(location, text, index));
  }

  /**
   * Parses {@code text} whose characters {@code locate} maps to file positions (the loader knows where the lines
   * of an indented block scalar start).
   */
  static Template parse(String text, Location location, IntFunction<Location> locate) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
        literal.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int end = text.indexOf('}', i + 2);
        Location at = locate.apply(i);
        if (end < 0) {
          throw new SyntaxError(at, "unclosed `${` in template: expected `}`");
        }
        String variable = text.substring(i + 2, end).strip();
        if (!VARIABLE.matcher(variable).matches()) {
          throw new SyntaxError(at, "`${" + variable + "}` is not a template variable: expected a"
              + " dotted name such as ${host.name}");
        }
        if (literal.length() > 0) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        parts.add(new Placeholder(variable, at));
        i = end + 1;
      } else {
        literal.append(c);
        i++;
      }
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    return new Template(text, location, parts);
  }

  /** Best-effort location of offset {@code index} in {@code text} that starts at {@code start}. */
  private static Location offset(Location start, String text, int index) {
    if (!start.isKnown()) {
      return start;
    }
    int line = start.line();
    int column = start.column();
    for (int k = 0; k < index; k++) {
      if (text.charAt(k) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Location(start.file(), line, column);
  }

  public List<Placeholder> placeholders() {
    return parts.stream().filter(Placeholder.class::isInstance).map(Placeholder.class::cast).toList();
  }

  /**
   * Renders with {@code resolver}, which must know every variable (the loader has checked that they exist).
   *
   * @throws IllegalArgumentException naming the placeholder's location if the resolver has no value for it
   */
  public Rendered render(Function<String, Optional<Value>> resolver) {
    StringBuilder out = new StringBuilder();
    boolean sensitive = false;
    for (Object part : parts) {
      if (part instanceof Placeholder p) {
        Value v = resolver.apply(p.variable()).orElseThrow(
            () -> new IllegalArgumentException(p.location() + ": no value for ${" + p.variable() + "}"));
        out.append(v.text());
        sensitive |= v.sensitive();
      } else {
        out.append((String) part);
      }
    }
    return new Rendered(out.toString(), sensitive);
  }

  public String text() {
    return text;
  }

  public Location location() {
    return location;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Template t && t.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}

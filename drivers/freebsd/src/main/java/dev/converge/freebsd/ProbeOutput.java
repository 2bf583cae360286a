package dev.converge.freebsd;

import dev.converge.driver.Command;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The output of this module's probe scripts, which tag every line so that text read from the host (a file, a
 * command's output) can never be mistaken for the script's own structure:
 *
 * <pre>
 * TAG TEXT          a line of the preamble, before any section
 * = NAME            opens the section of one resource name
 * TAG TEXT          a line of that section
 * </pre>
 *
 * TAG is everything up to the first space; TEXT the rest of the line, possibly empty. Scripts print file content and
 * multi-line output through the shell function {@link #LINES_FUNCTION}, which tags each line.
 */
public final class ProbeOutput {

  /**
   * {@code lines TAG < FILE}: prints every line of its input (the last one even without a newline) as
   * {@code TAG LINE}. Only shell builtins, so it costs no process.
   */
  public static final String LINES_FUNCTION =
      "lines() { while IFS= read -r l || [ -n \"$l\" ]; do printf '%s %s\\n' \"$1\" \"$l\"; done; }\n";

  /** {@code sh -c SCRIPT sh ARGS...}: the script is a constant and every value travels as a positional argument. */
  public static Command script(String script, List<String> args) {
    List<String> argv = new ArrayList<>(args.size() + 4);
    argv.addAll(List.of("sh", "-c", script, "sh"));
    argv.addAll(args);
    return Command.of(argv);
  }

  private final Section preamble;
  private final Map<String, Section> sections;

  private ProbeOutput(Section preamble, Map<String, Section> sections) {
    this.preamble = preamble;
    this.sections = sections;
  }

  public static ProbeOutput parse(String output) {
    Section preamble = new Section();
    Map<String, Section> sections = new LinkedHashMap<>();
    Section current = preamble;
    for (String line : output.lines().toList()) {
      if (line.startsWith("= ")) {
        current = new Section();
        sections.put(line.substring(2), current);
        continue;
      }
      int space = line.indexOf(' ');
      current.add(space < 0 ? line : line.substring(0, space), space < 0 ? "" : line.substring(space + 1));
    }
    return new ProbeOutput(preamble, sections);
  }

  public Section preamble() {
    return preamble;
  }

  /** The section of {@code name}; empty when the script never reached it (it died half-way). */
  public Optional<Section> section(String name) {
    return Optional.ofNullable(sections.get(name));
  }

  /** The tagged lines of one section (or of the preamble), in order. */
  public static final class Section {
    private final Map<String, List<String>> byTag = new LinkedHashMap<>();

    private void add(String tag, String text) {
      byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(text);
    }

    public List<String> all(String tag) {
      return List.copyOf(byTag.getOrDefault(tag, List.of()));
    }

    public Optional<String> first(String tag) {
      List<String> lines = byTag.get(tag);
      return lines == null ? Optional.empty() : Optional.of(lines.get(0));
    }

    public boolean has(String tag) {
      return byTag.containsKey(tag);
    }
  }
}

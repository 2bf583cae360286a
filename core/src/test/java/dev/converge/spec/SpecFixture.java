package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Spec files written into a temporary directory and loaded, with problems printed as
 * {@code file:line:column: message} (file names relative to that directory), for exact assertions.
 */
final class SpecFixture {

  /** A site with a local host and one SSH host: the smallest spec most tests build on. */
  static final String BASE = """
      site: test
      hosts:
        mgmt: { transport: local }
        server1: { address: 192.0.2.1 }
      """;

  private final Path dir;
  private SpecLoader.Builder loader = SpecLoader.builder();

  SpecFixture(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  SpecFixture file(String name, String yaml) {
    return bytes(name, yaml.getBytes(StandardCharsets.UTF_8));
  }

  SpecFixture bytes(String name, byte[] content) {
    try {
      Path path = dir.resolve(name);
      Files.createDirectories(path.getParent());
      Files.write(path, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  SpecFixture knownKinds(String... kinds) {
    loader = loader.knownKinds(Set.of(kinds));
    return this;
  }

  SpecFixture loader(SpecLoader.Builder builder) {
    loader = builder;
    return this;
  }

  /** Loads {@code site.yaml}, which must be valid. */
  SpecLoader.Result load() {
    try {
      return loader.build().load(dir.resolve("site.yaml"));
    } catch (SpecException e) {
      return fail("expected a valid spec, got:\n" + e.getMessage().replace(dir + "/", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Spec spec() {
    return load().spec();
  }

  /** Loads {@code site.yaml}, which must be invalid, and returns every problem as {@code file:line:col: msg}. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    assertThatThrownBy(() -> loader.build().load(dir.resolve("site.yaml")))
        .isInstanceOfSatisfying(SpecException.class, e -> e.problems().forEach(p -> out.add(format(p))));
    return out;
  }

  /** The warnings of a valid spec, as {@code file:line:col: msg}. */
  List<String> warnings() {
    return load().warnings().stream().map(this::format).toList();
  }

  private String format(Problem p) {
    Location l = p.location();
    String file = dir.relativize(l.file()).toString();
    String prefix = p.severity() == Problem.Severity.WARNING ? "warning: " : "";
    return file + ":" + l.line() + ":" + l.column() + ": " + prefix + p.message().replace(dir + "/", "");
  }
}

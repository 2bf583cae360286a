package dev.converge.specs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.converge.spec.SpecException;
import dev.converge.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example spec under specs/ keeps loading without errors as the format evolves. */
class ExampleSpecsTest {

  private static final Path SPECS = Path.of("").toAbsolutePath();
  private static final Pattern SITE = Pattern.compile("(?m)^site:");

  /** Root specs: YAML files (outside build output and sources) with a top-level {@code site:}. */
  static List<Path> rootSpecs() throws IOException {
    try (Stream<Path> files = Files.walk(SPECS)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.startsWith(SPECS.resolve("target")) && !p.startsWith(SPECS.resolve("src")))
          .filter(ExampleSpecsTest::isRoot)
          .sorted()
          .toList();
    }
  }

  private static boolean isRoot(Path p) {
    try {
      return SITE.matcher(Files.readString(p)).find();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p, e);
    }
  }

  @Test
  void theSiteExampleIsAmongTheRootSpecs() throws IOException {
    assertThat(rootSpecs()).contains(SPECS.resolve("site.yaml"));
  }

  @ParameterizedTest
  @MethodSource("rootSpecs")
  void loadsWithoutErrors(Path spec) throws IOException {
    try {
      SpecLoader.Result result = SpecLoader.builder().build().load(spec);
      assertThat(result.spec().hosts()).isNotEmpty();
    } catch (SpecException e) {
      fail(SPECS.relativize(spec) + " does not load:\n" + e.getMessage());
    }
  }
}

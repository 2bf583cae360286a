package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver written by someone else: the test compiles a small driver against converge's public SPI, packs it into
 * a jar with its ServiceLoader registration, drops it into a drivers directory, and converges a spec whose
 * {@code resources:} use the new kind — through the real CLI, once with --drivers and once with CONVERGE_DRIVERS.
 */
class ThirdPartyDriverIT {

  @TempDir Path dir;

  private static final String SOURCE = """
      package com.example.motd;

      import dev.converge.driver.*;
      import dev.converge.resource.*;
      import java.nio.charset.StandardCharsets;
      import java.util.ArrayList;
      import java.util.List;
      import java.util.Optional;

      /** Kind `greeting`: the file NAME (an absolute path) holds the `text` property. */
      public final class GreetingDriver implements Driver {
        public String kind() { return "greeting"; }

        public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
          List<Observation> out = new ArrayList<>();
          for (Resource r : batch) {
            try {
              Optional<byte[]> bytes = target.transport().read(r.id().name());
              out.add(bytes.isEmpty() ? Observation.absent(r.id()) : Observation.present(r.id(),
                  Properties.builder().put("text", new String(bytes.get(), StandardCharsets.UTF_8)).build()));
            } catch (TransportException e) {
              throw new ProbeException(e.getMessage(), e);
            }
          }
          return out;
        }

        public void apply(Target target, Change change) throws ActionException {
          try {
            String text = change.desired().properties().string("text").orElse("");
            target.transport().write(change.id().name(), text.getBytes(StandardCharsets.UTF_8),
                FileAttributes.mode(0644));
          } catch (TransportException e) {
            throw new ActionException(e.getMessage(), e);
          }
        }
      }
      """;

  private Path buildDriverJar() throws IOException {
    Path src = dir.resolve("src/com/example/motd/GreetingDriver.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, SOURCE);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String classpath = System.getProperty("java.class.path");
    int rc = javac.run(null, null, null, "--release", "17", "-cp", classpath, "-d", classes.toString(),
        src.toString());
    assertThat(rc).as("javac of the third-party driver").isZero();
    Path drivers = Files.createDirectories(dir.resolve("drivers"));
    Path jar = drivers.resolve("greeting-driver.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/dev.converge.driver.Driver"));
      out.write("com.example.motd.GreetingDriver\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry("com/example/motd/GreetingDriver.class"));
      try (OutputStream o = out) {
        Files.copy(classes.resolve("com/example/motd/GreetingDriver.class"), o);
      }
    }
    return drivers;
  }

  @Test
  void aDriverJarInTheDriversDirectoryIsLoadedAndConverges() throws Exception {
    Path drivers = buildDriverJar();
    Path greeting = dir.resolve("hello.txt");
    Path spec = dir.resolve("site.yaml");
    Files.writeString(spec, "site: thirdparty\nhosts:\n  box: { transport: local }\nresources:\n"
        + "  - { kind: greeting, host: box, name: " + greeting + ", properties: { text: \"hello from a plugin\" } }\n");

    Cli.Run without = Cli.run("validate", spec.toString());
    assertThat(without.exit()).as("without the driver the kind is unknown").isEqualTo(65);
    assertThat(without.err()).contains("greeting");

    Cli.Run converge = Cli.run("--drivers", drivers.toString(), spec.toString());
    assertThat(converge.exit()).as(converge.toString()).isZero();
    assertThat(converge.out()).contains("created greeting/box:" + greeting);
    assertThat(greeting).hasContent("hello from a plugin");

    Cli.Run plan = Cli.run(java.util.Map.of("CONVERGE_DRIVERS", drivers.toString()), "plan", spec.toString());
    assertThat(plan.exit()).as(plan.toString()).isZero();
    assertThat(plan.out()).isEmpty();
  }

}

package dev.converge.lab;

import dev.converge.spec.Spec;
import dev.converge.spec.SpecException;
import dev.converge.spec.SpecLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Specs for lab tests, written as YAML and loaded the way the CLI loads them. */
final class LabSpecs {

  private LabSpecs() {}

  /** Loads {@code yaml} written to {@code dir/site.yaml}. */
  static Spec load(Path dir, String yaml) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("site.yaml");
      Files.writeString(file, yaml);
      return SpecLoader.builder().build().load(file).spec();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SpecException e) {
      throw new IllegalArgumentException("invalid test spec: " + e.problems(), e);
    }
  }

  /** {@code count} hosts h1..hN, each linked to the next one in a chain when {@code chain}. */
  static String hosts(String site, int count, boolean chain) {
    String hosts = IntStream.rangeClosed(1, count).mapToObj(i -> "  h" + i + ": { address: 192.0.2." + i + " }")
        .collect(Collectors.joining("\n"));
    String links = IntStream.range(1, count).mapToObj(i -> "[h" + i + ", h" + (i + 1) + "]")
        .collect(Collectors.joining(", "));
    return "site: " + site + "\nhosts:\n" + hosts + "\n"
        + (chain && count > 1 ? "networks:\n  chain: { kind: links, cidr: 172.16.0.0/16, links: [" + links + "] }\n"
            : "");
  }
}

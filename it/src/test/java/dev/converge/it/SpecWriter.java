package dev.converge.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the specs the integration tests converge: many files on one host, local or over SSH. */
final class SpecWriter {

  private SpecWriter() {}

  /** The content converge writes into file number {@code i}. */
  static String content(int i) {
    return "# managed by converge\nindex = " + i + "\nname = file-" + i + "\n";
  }

  /**
   * A spec of site {@code site} with {@code count} files under {@code root} on host {@code host}, whose definition
   * (a YAML flow mapping body, e.g. {@code transport: local}) is {@code hostYaml}.
   */
  static Path files(Path spec, String site, String host, String hostYaml, Path root, int count, int skip)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("site: ").append(site).append("\n");
    sb.append("hosts:\n  ").append(host).append(": { ").append(hostYaml).append(" }\n");
    sb.append("files:\n");
    for (int i = 0; i < count; i++) {
      if (i == skip) {
        continue;
      }
      sb.append("  - host: ").append(host).append("\n");
      sb.append("    path: ").append(root.resolve("dir" + (i % 10)).resolve("file-" + i + ".conf")).append("\n");
      sb.append("    mode: \"0640\"\n");
      sb.append("    content: |\n");
      for (String line : content(i).split("\n")) {
        sb.append("      ").append(line).append("\n");
      }
    }
    Files.writeString(spec, sb.toString());
    return spec;
  }
}

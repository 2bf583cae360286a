package dev.converge.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code converge} jar, built by the reactor before this module, as a separate process. */
final class Cli {

  /** A finished command: exit status and both output streams. */
  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Path home() {
    return Path.of(System.getProperty("converge.home", "..")).toAbsolutePath().normalize();
  }

  static Path jar() {
    Path jar = home().resolve("cli/target/converge.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the build (mvn verify) from the repository root");
    }
    return jar;
  }

  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
        jar().toString(), "--no-color"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Run run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }

  static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command(args));
    pb.environment().putAll(env);
    pb.environment().remove("NO_COLOR");
    Path out = Files.createTempFile("converge-out", ".txt");
    Path err = Files.createTempFile("converge-err", ".txt");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("converge " + String.join(" ", args) + " did not finish in 120 s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private Cli() {}
}

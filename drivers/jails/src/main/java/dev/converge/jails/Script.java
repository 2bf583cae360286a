package dev.converge.jails;

import dev.converge.driver.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The static shell scripts the jail driver runs on a host (resources beside this class). Values from the spec only
 * ever reach them as positional arguments, never as shell text.
 */
enum Script {
  PROBE("probe.sh"),
  RESOLVE("resolve.sh"),
  UP("up.sh"),
  PROVISION("provision.sh"),
  START("start.sh"),
  DOWN("down.sh"),
  READY("ready.sh"),
  PACKAGES("packages.sh"),
  SEND("send.sh"),
  RECEIVE("receive.sh");

  private final String text;

  Script(String resource) {
    try (InputStream in = Script.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code sh -c SCRIPT NAME ARGS...}: the script with {@code args} as $1, $2, … */
  Command command(List<String> args) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", text, "converge-" + name().toLowerCase()));
    argv.addAll(args);
    return Command.of(argv);
  }

  Command command(List<String> args, Duration timeout) {
    return command(args).withTimeout(timeout);
  }
}

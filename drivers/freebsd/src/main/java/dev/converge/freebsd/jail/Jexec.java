package dev.converge.freebsd.jail;

import dev.converge.driver.Command;
import java.util.ArrayList;
import java.util.List;

/** How a command runs inside a FreeBSD jail ({@link dev.converge.transport.JailTransport}'s entry): {@code jexec NAME}. */
final class Jexec {

  private Jexec() {}

  /** {@code command} run inside {@code jail}. */
  static Command inside(String jail, Command command) {
    List<String> argv = new ArrayList<>(List.of("jexec", jail));
    argv.addAll(command.argv());
    return new Command(argv, command.stdin(), command.timeout());
  }
}

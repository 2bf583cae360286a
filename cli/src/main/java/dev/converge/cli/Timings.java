package dev.converge.cli;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --timings}: milliseconds since the JVM started at each phase of a command, printed to stderr at the end.
 * Marks are cheap (one clock read) so they stay in the code path whether printed or not.
 */
final class Timings {

  private final boolean enabled;
  private final Console console;
  private final Instant jvmStart;
  private final List<String> marks = new ArrayList<>();

  Timings(boolean enabled, Console console) {
    this.enabled = enabled;
    this.console = console;
    this.jvmStart = enabled ? Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()) : Instant.now();
    mark("main started");
  }

  synchronized void mark(String phase) {
    if (enabled) {
      marks.add(String.format("%6d ms  %s", Duration.between(jvmStart, Instant.now()).toMillis(), phase));
    }
  }

  synchronized void print() {
    if (enabled) {
      console.err().println("timings (since JVM start):");
      marks.forEach(m -> console.err().println("  " + m));
    }
  }
}

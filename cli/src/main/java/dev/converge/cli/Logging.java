package dev.converge.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Logs go to stderr (results to stdout); {@code -v} shows what converge does, {@code -vv} everything. */
final class Logging {

  private Logging() {}

  static void configure(String[] args) {
    int verbosity = 0;
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      if (a.matches("-v+")) {
        verbosity += a.length() - 1;
      } else if (a.equals("--verbose")) {
        verbosity++;
      }
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger ours = (Logger) LoggerFactory.getLogger("dev.converge");
    switch (verbosity) {
      case 0 -> ours.setLevel(Level.WARN);
      case 1 -> ours.setLevel(Level.INFO);
      default -> {
        ours.setLevel(Level.DEBUG);
        root.setLevel(Level.INFO);
      }
    }
  }
}

package dev.converge.cli;

/**
 * Logs go to stderr (results to stdout); {@code -v} shows what converge does, {@code -vv} also what its libraries
 * do. Must run before the first logger is created: slf4j-simple reads its levels once.
 */
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
    if (verbosity >= 1) {
      System.setProperty("org.slf4j.simpleLogger.log.dev.converge", verbosity == 1 ? "info" : "debug");
    }
    if (verbosity >= 2) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
  }
}

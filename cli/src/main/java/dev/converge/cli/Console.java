package dev.converge.cli;

import java.io.PrintStream;

/**
 * Where output goes: results to {@code out}, everything else (logs, warnings, errors, progress meant for humans
 * while --json is on) to {@code err}. Colour only on a terminal, never with NO_COLOR or --no-color.
 */
record Console(PrintStream out, PrintStream err, boolean colour) {

  static Console system(CommonOptions options) {
    boolean tty = System.console() != null;
    boolean noColorEnv = System.getenv("NO_COLOR") != null && !System.getenv("NO_COLOR").isEmpty();
    return new Console(System.out, System.err, tty && !noColorEnv && !options.noColor && !options.json);
  }

  void error(String message) {
    err.println(paint("31", "error: ") + message);
  }

  void warning(String message) {
    err.println(paint("33", "warning: ") + message);
  }

  void note(String message) {
    err.println("note: " + message);
  }

  String paint(String code, String text) {
    return colour ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
  }
}

package dev.converge.cli;

import picocli.CommandLine;

/** The {@code converge} command's entry point. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (tests call this in-process). */
  public static int run(String... args) {
    Logging.configure(args);
    Session.prefetch = SpecPrefetch.start(args);
    CommandLine cli = ConvergeCommand.commandLine();
    return cli.execute(args);
  }
}

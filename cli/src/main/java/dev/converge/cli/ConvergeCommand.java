package dev.converge.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code converge [apply] SPEC}: converge the site; the subcommands plan, validate, graph and watch it. */
@Command(
    name = "converge",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    subcommands = {ApplyCommand.class, PlanCommand.class, ValidateCommand.class, GraphCommand.class,
        WatchCommand.class, LabCommand.class},
    description = {
        "Makes hosts, networks, jails, zones and OSPF areas match one declarative spec.",
        "",
        "converge SPEC is converge apply SPEC."},
    footer = {"",
        "Exit status: 0 converged (plan: no changes); 1 failed or not converged (plan: error);",
        "2 plan has changes; 64 usage error; 65 invalid spec; 75 state locked by another run."})
final class ConvergeCommand implements Callable<Integer> {

  @Mixin CommonOptions options;

  @Mixin HostLimit limit;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC|PLAN",
      description = "The spec to converge, or a plan saved by `converge plan --out`.")
  Path target;

  @CommandLine.Spec CommandLine.Model.CommandSpec self;

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ConvergeCommand());
    setExitCodes(cli);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  /** 64 for usage errors (picocli's default 2 would read as "plan has changes"), 1 for crashes. */
  private static void setExitCodes(CommandLine cli) {
    cli.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
    cli.getCommandSpec().exitCodeOnExecutionException(ExitCode.FAILED);
    cli.getSubcommands().values().forEach(ConvergeCommand::setExitCodes);
  }

  @Override
  public Integer call() {
    if (target == null) {
      self.commandLine().usage(System.err);
      return ExitCode.USAGE;
    }
    return new ApplyCommand.Apply(new Session(options), limit).run(target);
  }
}

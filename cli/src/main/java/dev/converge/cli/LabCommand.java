package dev.converge.cli;

import dev.converge.lab.Lab;
import dev.converge.lab.LabException;
import dev.converge.spec.Spec;
import dev.converge.state.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code converge lab up|down|status|exec|ssh-config SPEC}: the spec's hosts as local network-namespace hosts. */
@Command(name = "lab", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class, LabCommand.Exec.class,
        LabCommand.SshConfig.class},
    description = {"The local lab: every host of a spec as a network namespace on this machine, with its own sshd,",
        "its own copy-on-write /etc, /var, /usr, and veth pairs for the spec's links. `converge --lab SPEC` (also with",
        "plan and watch) converges against it. Needs root and Linux."})
final class LabCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec self;

  @Override
  public Integer call() {
    self.commandLine().usage(System.err);
    return ExitCode.USAGE;
  }

  /** What every lab subcommand shares: the spec and the lab of its state directory. */
  abstract static class LabAction implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Parameters(index = "0", paramLabel = "SPEC", description = "The spec.")
    Path specFile;

    @Override
    public Integer call() {
      Session session = new Session(options);
      try {
        Spec spec = session.load(specFile, true);
        return run(session, spec, session.lab(spec));
      } catch (Session.Exit e) {
        return e.exitCode;
      } catch (LabException e) {
        session.console.error(e.getMessage());
        return ExitCode.FAILED;
      }
    }

    abstract int run(Session session, Spec spec, Lab lab) throws LabException, Session.Exit;
  }

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Brings the lab up (again: changes nothing).")
  static final class Up extends LabAction {
    @Override
    int run(Session session, Spec spec, Lab lab) throws LabException, Session.Exit {
      try (StateStore lock = session.lock(spec, "converge lab up " + specFile)) {
        long start = System.nanoTime();
        lab.up(session.console.err()::println);
        session.console.out().print(LabStatusText.render(spec, lab.status()));
        session.console.err().printf("lab up in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = {"Removes every namespace, link, mount and process of the lab (also after a crash).",
          "A spec that no longer loads still takes down the lab its state directory records."})
  static final class Down extends LabAction {
    @Override
    public Integer call() {
      Integer exit = super.call();
      if (exit != ExitCode.INVALID_SPEC) {
        return exit;
      }
      Session session = new Session(options);
      Path stateDirectory = options.stateDirectory(specFile);
      try {
        if (Lab.downRecorded(stateDirectory)) {
          session.console.err().println("took down the lab recorded in " + stateDirectory
              + " all the same: the spec is not needed for that");
          return ExitCode.OK;
        }
      } catch (LabException e) {
        session.console.error(e.getMessage());
        return ExitCode.FAILED;
      }
      return exit;
    }

    @Override
    int run(Session session, Spec spec, Lab lab) throws LabException, Session.Exit {
      try (StateStore lock = session.lock(spec, "converge lab down " + specFile)) {
        lab.down();
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Each lab host: up or not, address, ssh.")
  static final class Status extends LabAction {
    @Override
    int run(Session session, Spec spec, Lab lab) {
      session.console.out().print(LabStatusText.render(spec, lab.status()));
      return ExitCode.OK;
    }
  }

  @Command(name = "exec", mixinStandardHelpOptions = true,
      description = {"Runs a command on a lab host, like docker exec; its exit status is passed through.",
          "Example: converge lab exec specs/site.yaml server1 -- ip -br addr"})
  static final class Exec extends LabAction {
    @Parameters(index = "1", paramLabel = "HOST", description = "The lab host.")
    String host;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command;

    @Override
    int run(Session session, Spec spec, Lab lab) throws LabException {
      if (!spec.hosts().containsKey(host)) {
        session.console.error("no host `" + host + "` in " + specFile + ": expected one of "
            + String.join(", ", spec.hosts().keySet()));
        return ExitCode.USAGE;
      }
      return lab.exec(host, command);
    }
  }

  @Command(name = "ssh-config", mixinStandardHelpOptions = true,
      description = {"Prints an OpenSSH client config for the lab hosts, by name.",
          "Example: converge lab ssh-config specs/site.yaml > lab.conf; ssh -F lab.conf server1"})
  static final class SshConfig extends LabAction {
    @Override
    int run(Session session, Spec spec, Lab lab) {
      session.console.out().print(lab.sshConfig());
      return ExitCode.OK;
    }
  }
}

package dev.converge.jails;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;

/** A jail's commands on its host, with failures turned into messages naming the host and the jail. */
final class Remote {

  private Remote() {}

  static ExecResult probe(Target target, Command command) throws ProbeException {
    try {
      return target.transport().exec(command);
    } catch (TransportException e) {
      throw new ProbeException("cannot probe jails on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  /** Runs {@code command}, which must succeed; {@code what} names the step in the error ("set up"). */
  static ExecResult run(Target target, Command command, String what, String where) throws ActionException {
    ExecResult r = exec(target, command, where);
    if (!r.ok()) {
      throw new ActionException("cannot " + what + " " + where + " (exit " + r.exitCode() + ")" + r.details());
    }
    return r;
  }

  static ExecResult exec(Target target, Command command, String where) throws ActionException {
    try {
      return target.transport().exec(command);
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }
}

package dev.converge.linux;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import java.nio.charset.StandardCharsets;

/**
 * A driver's commands on its target, with failures turned into messages that name the host and the resource: what a
 * probe or an action reports to the user.
 */
final class Remote {

  private Remote() {}

  /** Runs a probe command and returns its result whatever its exit status; only an unreachable host fails. */
  static ExecResult probe(Target target, Command command, String kind) throws ProbeException {
    try {
      return target.transport().exec(command);
    } catch (TransportException e) {
      throw new ProbeException("cannot probe " + kind + " on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  /** Runs an action's command and returns its result whatever its exit status. */
  static ExecResult exec(Target target, Command command, String where) throws ActionException {
    try {
      return target.transport().exec(command);
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }

  /** Runs an action's command, which must succeed; {@code what} names it in the error ("useradd"). */
  static ExecResult run(Target target, Command command, String what, String where) throws ActionException {
    ExecResult r = exec(target, command, where);
    if (!r.ok()) {
      throw new ActionException("cannot change " + where + ": " + what + " failed (exit " + r.exitCode() + ")"
          + r.details());
    }
    return r;
  }

  /** Replaces {@code path} atomically with {@code content}, owned by the transport's user (root). */
  static void write(Target target, String path, String content, int mode, String where) throws ActionException {
    try {
      target.transport().write(path, content.getBytes(StandardCharsets.UTF_8),
          FileAttributes.mode(mode));
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }

}

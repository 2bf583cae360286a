package dev.converge.freebsd;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One target's transport as the drivers of this module use it: every failure becomes a {@link ProbeException} or
 * {@link ActionException} whose message starts with what was being done ({@code "cannot probe sysctls on h1"}).
 */
public record Remote(Target target, Transport transport) {

  public static Remote forProbe(Target target, String what) throws ProbeException {
    try {
      return new Remote(target, target.transport());
    } catch (TransportException e) {
      throw new ProbeException("cannot probe " + what + " on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  public static Remote forAction(Target target, String what) throws ActionException {
    try {
      return new Remote(target, target.transport());
    } catch (TransportException e) {
      throw new ActionException("cannot change " + what + " on " + target.name() + ": " + e.getMessage(), e);
    }
  }

  public String host() {
    return target.name();
  }

  /** Runs a probe command, whatever its exit status; only an unreachable host fails. */
  public ExecResult probe(Command command, String what) throws ProbeException {
    try {
      return transport.exec(command);
    } catch (TransportException e) {
      throw new ProbeException("cannot probe " + what + " on " + host() + ": " + e.getMessage(), e);
    }
  }

  /** Runs a command of an action, whatever its exit status. */
  public ExecResult exec(Command command, String what) throws ActionException {
    try {
      return transport.exec(command);
    } catch (TransportException e) {
      throw new ActionException("cannot change " + what + " on " + host() + ": " + e.getMessage(), e);
    }
  }

  /** Runs a command of an action that must succeed; the error names {@code what}, the host and the stderr. */
  public ExecResult run(Command command, String what) throws ActionException {
    ExecResult r = exec(command, what);
    if (!r.ok()) {
      throw new ActionException("cannot change " + what + " on " + host() + ": " + command.argv().get(0)
          + " failed (exit " + r.exitCode() + ")" + detail(r));
    }
    return r;
  }

  /**
   * Runs sysrc commands that must all succeed, under the host's rc.conf lock: sysrc rewrites rc.conf through a
   * temporary file, so two writes that overlap would lose one.
   */
  public void sysrc(List<Command> commands, String what) throws ActionException {
    if (commands.isEmpty()) {
      return;
    }
    ReentrantLock lock = TargetLocks.RC_CONF.of(target);
    lock.lock();
    try {
      for (Command c : commands) {
        run(c, what);
      }
    } finally {
      lock.unlock();
    }
  }

  public Optional<String> read(String path, String what) throws ActionException {
    try {
      return transport.read(path).map(b -> new String(b, StandardCharsets.UTF_8));
    } catch (TransportException e) {
      throw new ActionException("cannot read " + path + " for " + what + " on " + host() + ": " + e.getMessage(), e);
    }
  }

  public void write(String path, String content, FileAttributes attributes, String what) throws ActionException {
    try {
      transport.write(path, content.getBytes(StandardCharsets.UTF_8), attributes);
    } catch (TransportException e) {
      throw new ActionException("cannot write " + path + " for " + what + " on " + host() + ": " + e.getMessage(),
          e);
    }
  }

  /** {@code ": STDERR"} (or stdout when stderr is empty), or nothing when both are empty. */
  public static String detail(ExecResult r) {
    String text = r.err().strip();
    if (text.isEmpty()) {
      text = r.out().strip();
    }
    return text.isEmpty() ? "" : ": " + text;
  }
}

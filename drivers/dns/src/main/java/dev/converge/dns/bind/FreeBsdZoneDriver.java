package dev.converge.dns.bind;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import java.util.Set;

/**
 * {@code dns-zone} on FreeBSD's bind918 package: files under /usr/local/etc/namedb/converge and
 * /usr/local/etc/namedb/dynamic/converge, named enabled in rc.conf and started by its rc script.
 */
public final class FreeBsdZoneDriver extends ZoneDriver {

  /** rc.d/named creates the rndc key and the chroot layout it needs on its first start. */
  static final String START = "sysrc -q named_enable=YES >/dev/null && exec service named start";

  /** The port's current BIND; installed only when missing, so a host's own choice of version stays. */
  static final String INSTALL_PACKAGE = "command -v named >/dev/null || exec pkg install -y bind918";

  public FreeBsdZoneDriver() {
    super(BindPlatform.FREEBSD);
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  @Override
  void startNamed(Target target) throws ActionException {
    runScript(target, START, "start named");
  }

  @Override
  void ensureInstalled(Target target) throws ActionException {
    runScript(target, INSTALL_PACKAGE, "install bind918");
  }

  private static void runScript(Target target, String script, String what) throws ActionException {
    ExecResult r;
    try {
      r = target.transport().exec(Command.of("sh", "-c", script));
    } catch (TransportException e) {
      throw new ActionException("cannot " + what + " on " + target.name() + ": " + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new ActionException("cannot " + what + " on " + target.name() + " (exit " + r.exitCode() + ")"
          + r.details());
    }
  }
}

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

  public FreeBsdZoneDriver() {
    super(BindPlatform.FREEBSD);
  }

  @Override
  public Set<String> platforms() {
    return Set.of("freebsd");
  }

  @Override
  void startNamed(Target target) throws ActionException {
    ExecResult r;
    try {
      r = target.transport().exec(Command.of("sh", "-c", START));
    } catch (TransportException e) {
      throw new ActionException("cannot start named on " + target.name() + ": " + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new ActionException("cannot start named on " + target.name() + " (exit " + r.exitCode() + ")"
          + details(r));
    }
  }
}

package dev.converge.frr;

import dev.converge.driver.Command;
import java.time.Duration;

/**
 * Where FRR keeps its files on a platform and the commands that probe, start and reload it there. Every script is a
 * constant: paths travel as positional parameters, and nothing from the spec is ever part of a command line (the
 * configuration reaches the host as a file).
 */
enum FrrPlatform {

  /**
   * Debian's frr package: {@code /etc/frr/daemons} enables ospfd; FRR runs under systemd where there is one, else
   * (lab hosts) {@code frrinit.sh}, which starts watchfrr, which starts the daemons and loads frr.conf.
   */
  LINUX("/etc/frr", "/run/frr", "/usr/lib/frr/frr-reload.py", """
      set -e
      conf=$1 run=$2 reload=$3
      alive() { [ -r "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }
      if ! grep -q '^ospfd=yes' "$conf/daemons"; then
        if grep -q '^ospfd=' "$conf/daemons"; then sed -i 's/^ospfd=.*/ospfd=yes/' "$conf/daemons"
        else echo 'ospfd=yes' >> "$conf/daemons"; fi
      fi
      if alive ospfd; then
        exec python3 "$reload" --reload --stdout --log-level error "$conf/frr.conf"
      elif alive watchfrr; then
        # watchfrr learns of a newly enabled daemon only when restarted; zebra and the others keep running.
        (. /usr/lib/frr/frrcommon.sh; daemon_list enabled disabled; watchfrr_options="$watchfrr_options $enabled"
         daemon_stop watchfrr && daemon_start watchfrr) >/dev/null
        i=0; until alive ospfd || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done
        exec python3 "$reload" --reload --stdout --log-level error "$conf/frr.conf"
      elif [ -d /run/systemd/system ]; then
        systemctl enable --quiet frr && exec systemctl start frr
      else
        exec /usr/lib/frr/frrinit.sh start
      fi
      """, "ip -j -4 route show table all"),

  /**
   * The net/frr port: rc.conf ({@code frr_enable}, {@code frr_daemons}) through sysrc, {@code service frr start}.
   * A reload runs the same frr-reload.py command as {@code service frr reload}, but logging to its output instead of
   * a world-readable log file, since the lines it logs carry the MD5 key.
   */
  FREEBSD("/usr/local/etc/frr", "/var/run/frr", "/usr/local/sbin/frr-reload.py", """
      set -e
      conf=$1 run=$2 reload=$3
      alive() { [ -r "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }
      sysrc -q frr_enable=YES >/dev/null
      daemons=$(sysrc -n frr_daemons 2>/dev/null || echo zebra)
      case " $daemons " in *" ospfd "*) ;; *) sysrc -q frr_daemons="$daemons ospfd" >/dev/null ;; esac
      if alive ospfd; then
        exec "$reload" --reload --stdout --log-level error --confdir "$conf" --rundir "$run" "$conf/frr.conf"
      elif alive zebra; then
        exec service frr restart
      else
        exec service frr start
      fi
      """, "netstat -rn -4 --libxo json");

  /** Prints whether zebra and ospfd run, then (when they do) the running config and ospfd's interfaces. */
  static final String PROBE = """
      run=$1
      alive() { [ -r "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }
      if alive zebra && alive ospfd; then
        echo '@@ ospfd running'
        vtysh -c 'show running-config' || exit 3
        echo '@@ ospf interfaces'
        vtysh -c 'show ip ospf interface json' || exit 3
      else
        echo '@@ ospfd stopped'
      fi
      """;

  /** Starting FRR loads the whole config; a reload pushes a diff. Both take about a second (measured). */
  private static final Duration ACTIVATE_TIMEOUT = Duration.ofSeconds(60);

  private final String confDir;
  private final String runDir;
  private final String reloadScript;
  private final String activate;
  private final String routes;

  FrrPlatform(String confDir, String runDir, String reloadScript, String activate, String routes) {
    this.confDir = confDir;
    this.runDir = runDir;
    this.reloadScript = reloadScript;
    this.activate = activate;
    this.routes = routes;
  }

  static FrrPlatform of(String platform) {
    return "freebsd".equals(platform) ? FREEBSD : LINUX;
  }

  String configFile() {
    return confDir + "/frr.conf";
  }

  Command probe() {
    return Command.of("sh", "-c", PROBE, "sh", runDir);
  }

  /** Enables ospfd, then reloads the running FRR from frr.conf, or starts FRR, which loads it. */
  Command activate() {
    return Command.of("sh", "-c", activate, "sh", confDir, runDir, reloadScript).withTimeout(ACTIVATE_TIMEOUT);
  }

  /** ospfd's neighbours, a marker line, then the kernel's IPv4 routing table, as JSON. */
  Command readiness() {
    return Command.of("sh", "-c", "vtysh -c 'show ip ospf neighbor json' || exit 3; echo '@@ routes'; " + routes);
  }

  boolean isFreeBsd() {
    return this == FREEBSD;
  }
}

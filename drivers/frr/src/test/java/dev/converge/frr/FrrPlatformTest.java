package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.Command;
import org.junit.jupiter.api.Test;

/** The commands the driver sends; FreeBSD's are checked here only, since no FreeBSD host runs on this machine. */
class FrrPlatformTest {

  @Test
  void freeBsd_keepsItsConfigUnderUsrLocal_andEnablesFrrAndOspfdThroughSysrc() {
    Command activate = FrrPlatform.FREEBSD.activate();

    assertThat(FrrPlatform.of("freebsd").configFile()).isEqualTo("/usr/local/etc/frr/frr.conf");
    assertThat(activate.argv()).startsWith("sh", "-c").endsWith("sh", "/usr/local/etc/frr", "/var/run/frr",
        "/usr/local/sbin/frr-reload.py");
    assertThat(activate.argv().get(2)).contains("sysrc -q frr_enable=YES")
        .contains("sysrc -q frr_daemons=\"$daemons ospfd\"").contains("exec service frr start")
        .contains("--reload --stdout --log-level error --confdir \"$conf\" --rundir \"$run\" \"$conf/frr.conf\"");
  }

  @Test
  void freeBsd_readsKernelRoutesWithNetstatLibxo() {
    assertThat(FrrPlatform.FREEBSD.readiness().argv().get(2)).endsWith("netstat -rn -4 --libxo json");
    assertThat(FrrPlatform.FREEBSD.probe().argv()).endsWith("sh", "/var/run/frr");
  }

  @Test
  void linux_enablesOspfdInTheDaemonsFile_andReloadsWithoutLoggingConfigLinesToAFile() {
    String script = FrrPlatform.LINUX.activate().argv().get(2);

    assertThat(FrrPlatform.of("linux").configFile()).isEqualTo("/etc/frr/frr.conf");
    assertThat(script).contains("sed -i 's/^ospfd=.*/ospfd=yes/'").contains("--reload --stdout --log-level error")
        .contains("exec /usr/lib/frr/frrinit.sh start");
  }

  @Test
  void scriptsAreConstants_pathsArePositionalParameters() {
    for (FrrPlatform p : FrrPlatform.values()) {
      assertThat(p.activate().argv().get(2)).doesNotContain(p.configFile());
      assertThat(p.probe().argv().get(2)).isEqualTo(FrrPlatform.PROBE);
    }
  }
}

package dev.converge.freebsd.jail;

import static dev.converge.freebsd.jail.JailDriverTest.DIR;
import static dev.converge.freebsd.jail.JailDriverTest.NO_JAIL_LIST;
import static dev.converge.freebsd.jail.JailDriverTest.RECORD;
import static dev.converge.freebsd.jail.JailDriverTest.ROOT;
import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ActionException;
import dev.converge.freebsd.ProbeOutput;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JailMoveTest {

  private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
  private static final String SNAPSHOT = "@move-1800000000";
  private static final String DATASET_A = "zroot/converge/jails/web";
  private static final String DATASET_B = "tank/converge/jails/web";

  /** Readiness is asked once: a jail that does not answer fails the move at once. */
  private final JailDriver driver = new JailDriver(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ZERO);

  private final Resource web = Jails.jail("h2", "web", Jails.minimal());
  private final Change move = new Change(ChangeType.MOVE, web, Observation.absent(web.id()), List.of(),
      Optional.of("host changed"), Optional.of("h1"));

  private static ScriptedTransport sourceOnZfs() {
    return new ScriptedTransport()
        .file(RECORD, JailDriverTest.recordJson(Jails.minimal(), Optional.of(DATASET_A)))
        .expect(List.of("service", "jail", "stop", "web"), "Stopping jails: web.\n")
        .expect(List.of("zfs", "snapshot", DATASET_A + SNAPSHOT), "")
        .expect(List.of("zfs", "send", DATASET_A + SNAPSHOT), "ZFS SEND STREAM OF web");
  }

  private static ScriptedTransport destinationOnZfs() {
    return new ScriptedTransport()
        .expect(script(JailDriver.FOREIGN_SCRIPT, "/etc/jail.conf.d/web.conf", RECORD), "")
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "zfs tank/converge/images\n")
        .expect(List.of("mkdir", "-p", "-m", "0700", DIR), "")
        .expect(List.of("zfs", "create", "-p", "-o", "mountpoint=none", "tank/converge/jails"), "");
  }

  private static ScriptedTransport startsAndAnswers(ScriptedTransport b) {
    return b.expect(List.of("rm", "-f", "/etc/fstab.web"), "")
        .expect(List.of("mkdir", "-p", "/etc/jail.conf.d"), "")
        .expect(List.of("sysrc", "-n", "jail_list"), 1, "", NO_JAIL_LIST)
        .expect(List.of("sysrc", "jail_enable=YES"), "")
        .expect(List.of("sysrc", "jail_list=web"), "")
        .expect(List.of("service", "jail", "start", "web"), "Starting jails: web.\n");
  }

  @Test
  void betweenZfsHosts_sendsASnapshotStartsOnTheNewHostThenRemovesTheOld() throws Exception {
    ScriptedTransport a = sourceOnZfs()
        .expect(List.of("zfs", "destroy", DATASET_A + SNAPSHOT), "")
        .expect(List.of("sysrc", "-n", "jail_list"), "web\n")
        .expect(List.of("sysrc", "jail_list="), "")
        .expect(List.of("rm", "-f", "/etc/jail.conf.d/web.conf", "/etc/fstab.web"), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, ROOT), "")
        .expect(List.of("zfs", "destroy", "-r", DATASET_A), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, DIR), "");
    ScriptedTransport b = startsAndAnswers(destinationOnZfs()
        .expect(List.of("zfs", "receive", "-u", "-o", "mountpoint=" + ROOT, DATASET_B), "")
        .expect(List.of("zfs", "mount", DATASET_B), ""))
        .expect(script(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "-"), "")
        .expect(List.of("zfs", "destroy", DATASET_B + SNAPSHOT), "");

    driver.move(a.target("h1"), b.target("h2"), move);

    a.assertAllAnswered();
    b.assertAllAnswered();
    assertThat(b.streamed()).containsExactly("ZFS SEND STREAM OF web");
    JailRecord onB = JailRecord.parse(b.fileContent(RECORD).orElseThrow());
    assertThat(onB.dataset()).contains(DATASET_B);
    assertThat(b.fileContent("/etc/jail.conf.d/web.conf")).contains(JailConf.render(Jails.settings(
        Jails.minimal())));
  }

  @Test
  void aFailedReceive_cleansTheNewHostAndStartsTheJailAgainOnTheOld() {
    ScriptedTransport a = sourceOnZfs()
        .expect(List.of("zfs", "destroy", DATASET_A + SNAPSHOT), "")
        .expect(List.of("service", "jail", "start", "web"), "Starting jails: web.\n");
    ScriptedTransport b = destinationOnZfs()
        .expect(List.of("zfs", "receive", "-u", "-o", "mountpoint=" + ROOT, DATASET_B), 1, "",
            "cannot receive new filesystem stream: out of space\n")
        .expect(List.of("service", "jail", "stop", "web"), 1, "", "jail: \"web\" not found\n")
        .expect(List.of("rm", "-f", "/etc/jail.conf.d/web.conf", "/etc/fstab.web"), "")
        .expect(List.of("zfs", "destroy", "-r", DATASET_B), 1, "", "cannot open 'tank/converge/jails/web': "
            + "dataset does not exist\n")
        .expect(List.of("sysrc", "-n", "jail_list"), 1, "", NO_JAIL_LIST)
        .expect(script(JailDriver.REMOVE_SCRIPT, DIR), "");

    assertThatThrownBy(() -> driver.move(a.target("h1"), b.target("h2"), move))
        .isInstanceOf(ActionException.class)
        .hasMessage("cannot move jail `web` from h1 to h2: cannot move jail `web` to h2: zfs receive failed (exit 1)"
            + ": cannot receive new filesystem stream: out of space; it runs on h1 again");
    a.assertAllAnswered();
    b.assertAllAnswered();
  }

  @Test
  void aJailThatDoesNotAnswerOnTheNewHost_isRolledBack() {
    ScriptedTransport a = sourceOnZfs()
        .expect(List.of("zfs", "destroy", DATASET_A + SNAPSHOT), "")
        .expect(List.of("service", "jail", "start", "web"), "");
    ScriptedTransport b = startsAndAnswers(destinationOnZfs()
        .expect(List.of("zfs", "receive", "-u", "-o", "mountpoint=" + ROOT, DATASET_B), "")
        .expect(List.of("zfs", "mount", DATASET_B), ""))
        .expect(script(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "-"), 1,
            "no answer to ping from 172.16.3.2\n", "")
        .expect(List.of("service", "jail", "stop", "web"), "")
        .expect(List.of("rm", "-f", "/etc/jail.conf.d/web.conf", "/etc/fstab.web"), "")
        .expect(List.of("zfs", "destroy", "-r", DATASET_B), "")
        .expect(List.of("sysrc", "-n", "jail_list"), "web\n")
        .expect(List.of("sysrc", "jail_list="), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, DIR), "");

    assertThatThrownBy(() -> driver.move(a.target("h1"), b.target("h2"), move))
        .hasMessageContaining("is not ready after 0 s: no answer to ping from 172.16.3.2")
        .hasMessageEndingWith("it runs on h1 again");
    a.assertAllAnswered();
    b.assertAllAnswered();
  }

  @Test
  void withoutZfsOnEitherSide_theRootTravelsAsATarStream() throws Exception {
    ScriptedTransport a = new ScriptedTransport()
        .file(RECORD, JailDriverTest.recordJson(Jails.minimal(), Optional.empty()))
        .expect(List.of("service", "jail", "stop", "web"), "")
        .expect(List.of("tar", "-cf", "-", "-C", ROOT, "."), "TAR OF web")
        .expect(List.of("sysrc", "-n", "jail_list"), "web\n")
        .expect(List.of("sysrc", "jail_list="), "")
        .expect(List.of("rm", "-f", "/etc/jail.conf.d/web.conf", "/etc/fstab.web"), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, DIR), "");
    ScriptedTransport b = startsAndAnswers(new ScriptedTransport()
        .expect(script(JailDriver.FOREIGN_SCRIPT, "/etc/jail.conf.d/web.conf", RECORD), "")
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "")
        .expect(List.of("mkdir", "-p", "-m", "0700", DIR), "")
        .expect(List.of("mkdir", "-p", ROOT), "")
        .expect(List.of("tar", "-xpf", "-", "-C", ROOT), ""))
        .expect(script(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "-"), "");

    driver.move(a.target("h1"), b.target("h2"), move);

    a.assertAllAnswered();
    b.assertAllAnswered();
    assertThat(b.streamed()).containsExactly("TAR OF web");
  }

  @Test
  void aJailConvergeDidNotMakeOnTheSourceIsNotMoved() {
    ScriptedTransport a = new ScriptedTransport();
    ScriptedTransport b = new ScriptedTransport();

    assertThatThrownBy(() -> driver.move(a.target("h1"), b.target("h2"), move))
        .hasMessage("jail `web` on h1: no " + RECORD + ", so converge did not make it there and will not move it");
    assertThat(a.executed()).isEmpty();
    assertThat(b.executed()).isEmpty();
  }
}

package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ActionException;
import dev.converge.driver.ProbeException;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDriverTest {

  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk provision@mgmt";
  private static final String PASSWD = "provision:*:1001:1001:User &:/home/provision:/bin/sh";
  private static final String SUDOERS = "/usr/local/etc/sudoers.d/converge-provision";
  private static final String STAGED = "/usr/local/etc/sudoers.d/.converge-provision.new";

  private final UserDriver driver = new UserDriver();
  private final Resource provision = Resources.present("user", "provision",
      Map.of("sudo", true, "authorized-keys", List.of(KEY)));
  private final Resource devel = Resources.present("user", "devel",
      Map.of("uid", 1002L, "gid", 1002L, "shell", "/usr/local/bin/bash", "groups", List.of("wheel", "operator"),
          "sudo", false));

  /** What the probe script prints for a provision user in sync. */
  private static String provisionInSync() {
    return "= provision\npasswd " + PASSWD + "\ngroup provision\ngroups provision wheel\nkey " + KEY + "\n"
        + "perm 700 1001\nperm 600 1001\nsudo provision ALL=(ALL:ALL) NOPASSWD: ALL\n";
  }

  @Test
  void probe_inSync_needsNoChange_andOneExecCoversTheBatch() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(UserDriver.SCRIPT, "provision", "devel"),
        provisionInSync() + "= devel\npasswd devel:*:1002:1002:Devel:/home/devel:/usr/local/bin/bash\n"
            + "group devel\ngroups devel operator wheel\n");

    List<Observation> o = driver.probe(host.target("h1"), List.of(provision, devel));

    assertThat(Resources.diff(provision, o.get(0))).isEmpty();
    assertThat(Resources.diff(devel, o.get(1))).as("groups in another order are the same groups").isEmpty();
    host.assertAllAnswered();
  }

  @Test
  void probe_absentUser() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(UserDriver.SCRIPT, "provision"),
        "= provision\n");

    assertThat(driver.probe(host.target("h1"), List.of(provision)).get(0).isPresent()).isFalse();
  }

  @Test
  void probe_differentKeysAndNoSudo_showBoth() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(UserDriver.SCRIPT, "provision"),
        "= provision\npasswd " + PASSWD + "\ngroup provision\ngroups provision\nkey ssh-rsa AAAAB3 old@laptop\n");

    Observation o = driver.probe(host.target("h1"), List.of(provision)).get(0);

    assertThat(Resources.diff(provision, o).orElseThrow().fields())
        .extracting(f -> f.field()).containsExactly("authorized-keys", "sudo");
  }

  @Test
  void probe_keysSshdWouldIgnoreForTheirPermissions_countAsDifferent() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(UserDriver.SCRIPT, "provision"),
        provisionInSync().replace("perm 600 1001", "perm 644 1001"));

    Observation o = driver.probe(host.target("h1"), List.of(provision)).get(0);

    assertThat(Resources.diff(provision, o).orElseThrow().fields().get(0).before().orElseThrow())
        .isEqualTo(List.of(KEY, "(~/.ssh and authorized_keys are mode and uid 700 1001, 644 1001: expected "
            + "700 1001, 600 1001)"));
  }

  @Test
  void probe_ofAMangledPasswdEntry_failsNamingHostAndUser() {
    ScriptedTransport host = new ScriptedTransport().expect(script(UserDriver.SCRIPT, "provision"),
        "= provision\npasswd provision:*:x\n");

    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(provision)))
        .isInstanceOf(ProbeException.class)
        .hasMessage("user `provision` on h1: unexpected passwd entry `provision:*:x` (expected 7 fields)");
  }

  @Test
  void create_addsTheUserThenItsKeysThenCheckedSudo() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("pw", "useradd", "-n", "provision", "-m"), "")
        .expect(List.of("getent", "passwd", "provision"), PASSWD + "\n")
        .expect(script(UserDriver.SSH_DIRECTORY_SCRIPT, "/home/provision", "1001", "1001"), "")
        .expect(List.of("/usr/local/sbin/visudo", "-cf", STAGED), STAGED + ": parsed OK\n")
        .expect(List.of("mv", "-f", "--", STAGED, SUDOERS), "");

    driver.apply(host.target("h1"), Resources.change(provision, Observation.absent(provision.id())));

    List<ScriptedTransport.Write> writes = host.writes();
    assertThat(writes.get(0).path()).isEqualTo("/home/provision/.ssh/authorized_keys");
    assertThat(writes.get(0).content()).isEqualTo(KEY + "\n");
    assertThat(writes.get(0).attributes().octalMode()).isEqualTo("0600");
    assertThat(writes.get(0).attributes().owner()).contains("1001");
    assertThat(writes.get(0).attributes().group()).contains("1001");
    assertThat(writes.get(1).path()).isEqualTo(STAGED);
    assertThat(writes.get(1).content()).isEqualTo("provision ALL=(ALL:ALL) NOPASSWD: ALL\n");
    assertThat(writes.get(1).attributes().octalMode()).isEqualTo("0440");
    host.assertAllAnswered();
  }

  @Test
  void create_withIds_makesTheMissingGroupFirst() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("getent", "group", "1002"), 2, "", "")
        .expect(List.of("pw", "groupadd", "-n", "devel", "-g", "1002"), "")
        .expect(List.of("pw", "useradd", "-n", "devel", "-m", "-u", "1002", "-g", "1002", "-s",
            "/usr/local/bin/bash", "-G", "wheel,operator"), "");

    driver.apply(host.target("h1"), Resources.change(devel, Observation.absent(devel.id())));

    host.assertAllAnswered();
  }

  @Test
  void update_changesOnlyWhatDiffers() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(UserDriver.SCRIPT, "devel"), "= devel\npasswd devel:*:1002:1002:Devel:/home/devel:/bin/sh\n"
            + "group devel\ngroups devel wheel operator\n")
        .expect(List.of("pw", "usermod", "-n", "devel", "-s", "/usr/local/bin/bash"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(devel)).get(0);

    driver.apply(host.target("h1"), Resources.change(devel, seen));

    host.assertAllAnswered();
  }

  @Test
  void sudoRejectedByVisudo_installsNothing() throws Exception {
    Resource sudoOnly = Resources.present("user", "provision", Map.of("sudo", true));
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(UserDriver.SCRIPT, "provision"), "= provision\npasswd " + PASSWD + "\ngroup provision\n"
            + "groups provision\n")
        .expect(List.of("/usr/local/sbin/visudo", "-cf", STAGED), 1, "",
            ">>> " + STAGED + ": syntax error near line 1 <<<\n")
        .expect(List.of("rm", "-f", "--", STAGED), "");
    Observation seen = driver.probe(host.target("h1"), List.of(sudoOnly)).get(0);

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(sudoOnly, seen)))
        .isInstanceOf(ActionException.class)
        .hasMessageStartingWith("user `provision` on h1: visudo rejected the sudoers file (exit 1): >>> ")
        .hasMessageEndingWith("; nothing was installed");
    host.assertAllAnswered();
  }

  @Test
  void sudoFalse_removesConvergesSudoersFile() throws Exception {
    Resource noSudo = Resources.present("user", "provision", Map.of("sudo", false));
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(UserDriver.SCRIPT, "provision"), provisionInSync())
        .expect(List.of("rm", "-f", "--", SUDOERS), "");
    Observation seen = driver.probe(host.target("h1"), List.of(noSudo)).get(0);

    driver.apply(host.target("h1"), Resources.change(noSudo, seen));

    host.assertAllAnswered();
  }

  @Test
  void delete_removesTheAccountAndItsSudoersFile_keepingTheHome() throws Exception {
    Resource gone = Resources.absent("user", "provision");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(UserDriver.SCRIPT, "provision"), provisionInSync())
        .expect(List.of("pw", "userdel", "-n", "provision"), "")
        .expect(List.of("rm", "-f", "--", SUDOERS), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }

  @Test
  void badProperties_areRefusedBeforeAnythingRuns() {
    Resource bad = Resources.present("user", "devel", Map.of("shell", "bash; rm -rf /", "sudo", false));
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(bad, Observation.absent(bad.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessage("user `devel` on h1: shell `bash; rm -rf /` is not an absolute path");
    assertThat(host.writes()).isEmpty();
  }

  @Test
  void aFailingPwCommand_reportsPwsError() {
    Resource taken = Resources.present("user", "devel", Map.of("uid", 0L, "sudo", false));
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("pw", "useradd", "-n", "devel", "-m", "-u", "0"), 65, "", "pw: uid `0' has already been allocated\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(taken, Observation.absent(taken.id()))))
        .hasMessage("cannot change user `devel` on h1: pw failed (exit 65): pw: uid `0' has already been allocated");
    assertThat(host.writes()).isEmpty();
  }
}

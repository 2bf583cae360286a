package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ActionException;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceDriverTest {

  /** rc.subr's rcvar output: "# name", "#", VAR="value", "#   (default: ...)", blank. */
  private static final String SSHD_RCVAR = "# sshd\n#\nsshd_enable=\"YES\"\n#   (default: \"\")\n\n";
  private static final String FRR_RCVAR = "# frr\n#\nfrr_enable=\"NO\"\n#   (default: \"\")\n\n";

  private final ServiceDriver driver = new ServiceDriver();

  private static Resource service(String name, boolean enabled, boolean running) {
    return Resources.present("service", name, Map.of("enabled", enabled, "running", running));
  }

  @Test
  void probe_readsEnabledScriptsOnceAndEachServicesState() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(ServiceDriver.SCRIPT, "sshd", "frr", "kea"),
        "e /etc/rc.d/hostid\ne /etc/rc.d/sshd\ne /etc/rc.d/cron\n"
            + "= sshd\nrcvar sshd_enable\nstatus 0\n= frr\nrcvar frr_enable\nstatus 1\n= kea\nmissing\n");

    List<Observation> o = driver.probe(host.target("h1"),
        List.of(service("sshd", true, true), service("frr", true, true), service("kea", true, true)));

    assertThat(Resources.diff(service("sshd", true, true), o.get(0))).isEmpty();
    assertThat(o.get(1).actual().orElseThrow().asMap()).containsEntry("enabled", false).containsEntry("running",
        false);
    assertThat(o.get(2).isPresent()).as("a package may still bring kea's script").isFalse();
    host.assertAllAnswered();
  }

  @Test
  void create_enablesWithTheScriptsRcvarAndStartsIt() throws Exception {
    Resource frr = service("frr", true, true);
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("service", "frr", "rcvar"), FRR_RCVAR)
        .expect(List.of("sysrc", "frr_enable=YES"), "frr_enable: NO -> YES\n")
        .expect(List.of("service", "frr", "onestart"), "Starting frr.\n");

    driver.apply(host.target("h1"), Resources.change(frr, Observation.absent(frr.id())));

    host.assertAllAnswered();
  }

  @Test
  void aDashedNameUsesTheVariableTheScriptDeclares() throws Exception {
    Resource exporter = service("node-exporter", true, false);
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(ServiceDriver.SCRIPT, "node-exporter"), "= node-exporter\nrcvar node_exporter_enable\n"
            + "status 1\n")
        .expect(List.of("service", "node-exporter", "rcvar"),
            "# node_exporter\n#\nnode_exporter_enable=\"NO\"\n#   (default: \"\")\n\n")
        .expect(List.of("sysrc", "node_exporter_enable=YES"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(exporter)).get(0);

    driver.apply(host.target("h1"), Resources.change(exporter, seen));

    host.assertAllAnswered();
  }

  @Test
  void update_onlyStopsWhenOnlyRunningDiffers() throws Exception {
    Resource sshd = service("sshd", true, false);
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(ServiceDriver.SCRIPT, "sshd"), "e /etc/rc.d/sshd\n= sshd\nrcvar sshd_enable\nstatus 0\n")
        .expect(List.of("service", "sshd", "rcvar"), SSHD_RCVAR)
        .expect(List.of("service", "sshd", "onestop"), "Stopping sshd.\n");
    Observation seen = driver.probe(host.target("h1"), List.of(sshd)).get(0);

    driver.apply(host.target("h1"), Resources.change(sshd, seen));

    host.assertAllAnswered();
  }

  @Test
  void aServiceWithoutRcScript_failsNamingHostAndService() {
    Resource kea = service("kea", true, true);
    ScriptedTransport host = new ScriptedTransport().expect(List.of("service", "kea", "rcvar"), 1, "",
        "kea does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not "
            + "executable\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(kea, Observation.absent(kea.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessageStartingWith("service `kea` on h1: no rc script of that name in /etc/rc.d or /usr/local/etc/rc.d");
  }

  @Test
  void enablingAScriptWithoutRcvar_isAClearError() {
    Resource netif = service("netif", true, false);
    ScriptedTransport host = new ScriptedTransport().expect(List.of("service", "netif", "rcvar"), "# netif\n#\n\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(netif,
        Observation.absent(netif.id()))))
        .hasMessage("service `netif` on h1: its rc script declares no rcvar, so it cannot be enabled at boot");
  }

  @Test
  void delete_stopsAndRemovesTheVariable() throws Exception {
    Resource gone = Resources.absent("service", "frr");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(ServiceDriver.SCRIPT, "frr"), "e /usr/local/etc/rc.d/frr\n= frr\nrcvar frr_enable\n"
            + "status 0\n")
        .expect(List.of("service", "frr", "rcvar"), FRR_RCVAR)
        .expect(List.of("service", "frr", "onestop"), "")
        .expect(List.of("sysrc", "-x", "frr_enable"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }

  @Test
  void aRemovedServiceThatIsNeitherEnabledNorRunning_needsNothing() throws Exception {
    Resource gone = Resources.absent("service", "frr");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(ServiceDriver.SCRIPT, "frr"), "= frr\nrcvar frr_enable\nstatus 1\n");

    assertThat(Resources.diff(gone, driver.probe(host.target("h1"), List.of(gone)).get(0))).isEmpty();
  }

  @Test
  void rcvarOf_readsTheFirstVariableOfRcSubrsOutput() {
    assertThat(ServiceDriver.rcvarOf(SSHD_RCVAR)).contains("sshd_enable");
    assertThat(ServiceDriver.rcvarOf("# netif\n#\n\n")).isEmpty();
  }
}

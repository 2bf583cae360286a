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

class HostnameDriverTest {

  private final HostnameDriver driver = new HostnameDriver();
  private final Resource wanted = Resources.present("hostname", "hostname", Map.of("name", "server1.example.org"));

  @Test
  void probe_inSync_observesTheNameItself() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(HostnameDriver.SCRIPT), "live server1.example.org\nrc server1.example.org\n");

    Observation o = driver.probe(host.target("h1"), List.of(wanted)).get(0);

    assertThat(o.actual().orElseThrow().string("name")).contains("server1.example.org");
    assertThat(Resources.diff(wanted, o)).isEmpty();
  }

  @Test
  void probe_differentNames_sayWhichIsWhich() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(HostnameDriver.SCRIPT), "live freebsd\nrc server1.example.org\n");

    Observation o = driver.probe(host.target("h1"), List.of(wanted)).get(0);

    assertThat(o.actual().orElseThrow().string("name")).contains("freebsd (rc.conf: server1.example.org)");
  }

  @Test
  void probe_notInRcConf_saysSo() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(HostnameDriver.SCRIPT), "live freebsd\n");

    Observation o = driver.probe(host.target("h1"), List.of(wanted)).get(0);

    assertThat(o.actual().orElseThrow().string("name")).contains("freebsd (not in rc.conf)");
  }

  @Test
  void probe_ofARemovedHostname_runsNothingAndSeesNothingToUndo() throws Exception {
    ScriptedTransport host = new ScriptedTransport();

    List<Observation> o = driver.probe(host.target("h1"), List.of(Resources.absent("hostname", "hostname")));

    assertThat(o.get(0).isPresent()).isFalse();
  }

  @Test
  void apply_setsBothWhenBothDiffer() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(HostnameDriver.SCRIPT), "live freebsd\n")
        .expect(List.of("sysrc", "hostname=server1.example.org"), "hostname:  -> server1.example.org\n")
        .expect(List.of("hostname", "server1.example.org"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(wanted)).get(0);

    driver.apply(host.target("h1"), Resources.change(wanted, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_onlyTheRunningNameWhenRcConfIsRight() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(HostnameDriver.SCRIPT), "live freebsd\nrc server1.example.org\n")
        .expect(List.of("hostname", "server1.example.org"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(wanted)).get(0);

    driver.apply(host.target("h1"), Resources.change(wanted, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_refusesANameThatIsNoHostName_andRunsNothing() {
    ScriptedTransport host = new ScriptedTransport();
    Resource bad = Resources.present("hostname", "hostname", Map.of("name", "-rf x"));

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(bad, Observation.absent(bad.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("hostname on h1: `-rf x` is not a host name");
  }
}

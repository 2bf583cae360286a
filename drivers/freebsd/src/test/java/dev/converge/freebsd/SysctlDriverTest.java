package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ActionException;
import dev.converge.driver.ProbeException;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SysctlDriverTest {

  private static final String CONF = "/etc/sysctl.conf.local";
  private final SysctlDriver driver = new SysctlDriver();
  private final Resource forwarding = Resources.present("sysctl", "net.inet.ip.forwarding", Map.of("value", "1"));
  private final Resource somaxconn = Resources.present("sysctl", "kern.ipc.somaxconn", Map.of("value", "1024"));

  @Test
  void probe_readsEveryNameAndTheFileInOneExec() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(
        script(SysctlDriver.SCRIPT, "net.inet.ip.forwarding", "kern.ipc.somaxconn"),
        "= net.inet.ip.forwarding\nv 1\n= kern.ipc.somaxconn\nv 128\n= /etc/sysctl.conf.local\n"
            + "c # local settings\nc net.inet.ip.forwarding=1\n");

    List<Observation> o = driver.probe(host.target("h1"), List.of(forwarding, somaxconn));

    assertThat(Resources.diff(forwarding, o.get(0))).isEmpty();
    assertThat(o.get(1).actual().orElseThrow().string("value")).contains("128 (not in sysctl.conf.local)");
    host.assertAllAnswered();
  }

  @Test
  void probe_ofAnUnknownVariable_failsNamingHostAndVariable() {
    ScriptedTransport host = new ScriptedTransport().expect(script(SysctlDriver.SCRIPT, "net.inet.ip.forwarding"),
        "= net.inet.ip.forwarding\ne sysctl: unknown oid 'net.inet.ip.forwarding'\n= /etc/sysctl.conf.local\n");

    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(forwarding)))
        .isInstanceOf(ProbeException.class)
        .hasMessage("sysctl `net.inet.ip.forwarding` on h1: sysctl: unknown oid 'net.inet.ip.forwarding'"
            + " (expected a kernel variable that `sysctl -n` can read)");
  }

  @Test
  void probe_refusesANameThatCouldBeAnOption() {
    Resource bad = Resources.present("sysctl", "-w", Map.of("value", "1"));

    assertThatThrownBy(() -> driver.probe(new ScriptedTransport().target("h1"), List.of(bad)))
        .isInstanceOf(ProbeException.class)
        .hasMessageStartingWith("sysctl `-w` on h1: not a sysctl name");
  }

  @Test
  void probe_ofARemovedSysctl_isPresentWhileTheFileHasItsLine() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(SysctlDriver.SCRIPT, "kern.ipc.somaxconn"),
        "= kern.ipc.somaxconn\nv 1024\n= /etc/sysctl.conf.local\nc kern.ipc.somaxconn=1024\n");

    Observation o = driver.probe(host.target("h1"), List.of(Resources.absent("sysctl", "kern.ipc.somaxconn")))
        .get(0);

    assertThat(o.isPresent()).isTrue();
  }

  @Test
  void apply_setsTheRunningValueAndAddsOnlyItsLineToTheFile() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(SysctlDriver.SCRIPT, "kern.ipc.somaxconn"),
            "= kern.ipc.somaxconn\nv 128\n= /etc/sysctl.conf.local\nc # mine\nc net.inet.ip.forwarding=1\n")
        .expect(List.of("sysctl", "kern.ipc.somaxconn=1024"), "kern.ipc.somaxconn: 128 -> 1024\n")
        .file(CONF, "# mine\nnet.inet.ip.forwarding=1\n");
    Observation seen = driver.probe(host.target("h1"), List.of(somaxconn)).get(0);

    driver.apply(host.target("h1"), Resources.change(somaxconn, seen));

    assertThat(host.fileContent(CONF)).contains("# mine\nnet.inet.ip.forwarding=1\nkern.ipc.somaxconn=1024\n");
    assertThat(host.writes().get(0).attributes().octalMode()).isEqualTo("0644");
    host.assertAllAnswered();
  }

  @Test
  void apply_whenOnlyTheFileDiffers_touchesOnlyTheFile() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(SysctlDriver.SCRIPT, "kern.ipc.somaxconn"),
            "= kern.ipc.somaxconn\nv 1024\n= /etc/sysctl.conf.local\nc kern.ipc.somaxconn = 512 # old\n")
        .file(CONF, "kern.ipc.somaxconn = 512 # old\n");
    Observation seen = driver.probe(host.target("h1"), List.of(somaxconn)).get(0);
    assertThat(seen.actual().orElseThrow().string("value")).contains("1024 (sysctl.conf.local: 512)");

    driver.apply(host.target("h1"), Resources.change(somaxconn, seen));

    assertThat(host.fileContent(CONF)).contains("kern.ipc.somaxconn=1024\n");
  }

  @Test
  void delete_dropsTheLineAndLeavesTheRunningValue() throws Exception {
    Resource gone = Resources.absent("sysctl", "kern.ipc.somaxconn");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(SysctlDriver.SCRIPT, "kern.ipc.somaxconn"),
            "= kern.ipc.somaxconn\nv 1024\n= /etc/sysctl.conf.local\nc a.b=1\nc kern.ipc.somaxconn=1024\n")
        .file(CONF, "a.b=1\nkern.ipc.somaxconn=1024\n");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    assertThat(host.fileContent(CONF)).contains("a.b=1\n");
    host.assertAllAnswered();
  }

  @Test
  void apply_ofAValueBootWouldReadDifferently_failsBeforeChangingAnything() {
    Resource bad = Resources.present("sysctl", "kern.ipc.somaxconn", Map.of("value", "1 # no"));
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(bad, Observation.absent(bad.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("sysctl `kern.ipc.somaxconn` on h1: value `1 # no` cannot be kept in "
            + "/etc/sysctl.conf.local");
    assertThat(host.writes()).isEmpty();
  }

  @Test
  void apply_ofAReadOnlyVariable_reportsSysctlsError() throws Exception {
    Resource ro = Resources.present("sysctl", "kern.ostype", Map.of("value", "Linux"));
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(SysctlDriver.SCRIPT, "kern.ostype"), "= kern.ostype\nv FreeBSD\n= /etc/sysctl.conf.local\n")
        .expect(List.of("sysctl", "kern.ostype=Linux"), 1, "", "sysctl: oid 'kern.ostype' is read only\n");
    Observation seen = driver.probe(host.target("h1"), List.of(ro)).get(0);

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(ro, seen)))
        .hasMessage("cannot change sysctl `kern.ostype` on h1: sysctl failed (exit 1): "
            + "sysctl: oid 'kern.ostype' is read only");
    assertThat(host.writes()).isEmpty();
  }

  @Test
  void parallelAppliesOnOneHost_loseNoLine() throws Exception {
    ScriptedTransport host = new ScriptedTransport();
    List<Callable<Void>> applies = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Resource r = Resources.present("sysctl", "a.b" + i, Map.of("value", "1"));
      Observation seen = Observation.present(r.id(),
          Properties.of(Map.of("value", "1 (not in sysctl.conf.local)", "live", "1")));
      applies.add(() -> {
        driver.apply(host.target("h1"), Resources.change(r, seen));
        return null;
      });
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (Future<Void> f : pool.invokeAll(applies)) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(SysctlConf.parse(host.fileContent(CONF).orElseThrow()).lines()).hasSize(8);
  }
}

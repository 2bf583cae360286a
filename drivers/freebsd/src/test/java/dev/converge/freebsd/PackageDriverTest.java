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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PackageDriverTest {

  /** pkg query -a '%n %o %v': name, origin, version (pkg-query(8)). */
  private static final String INSTALLED = "pkg ports-mgmt/pkg 1.21.3\nfrr10 net/frr10 10.2.1\n"
      + "sudo security/sudo 1.9.16p2\n";

  private final PackageDriver driver = new PackageDriver();

  private static Resource pkg(String name) {
    return Resources.present("package", name, Map.of("installed", true));
  }

  @Test
  void probe_matchesNameOriginOrNameWithVersion_inOneExec() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(PackageDriver.SCRIPT), INSTALLED);

    List<Observation> o = driver.probe(host.target("h1"),
        List.of(pkg("frr10"), pkg("security/sudo"), pkg("pkg-1.21.3"), pkg("bind918")));

    assertThat(o).extracting(Observation::isPresent).containsExactly(true, true, true, false);
    assertThat(Resources.diff(pkg("frr10"), o.get(0))).isEmpty();
    host.assertAllAnswered();
  }

  @Test
  void probe_withoutBootstrappedPkg_seesNothingInstalled() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(PackageDriver.SCRIPT), "");

    assertThat(driver.probe(host.target("h1"), List.of(pkg("frr10"))).get(0).isPresent()).isFalse();
  }

  @Test
  void probe_whenPkgFails_saysWhy() {
    ScriptedTransport host = new ScriptedTransport().expect(script(PackageDriver.SCRIPT), 1, "",
        "pkg: sqlite error while executing ...\n");

    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(pkg("frr10"))))
        .isInstanceOf(ProbeException.class)
        .hasMessage("cannot probe packages on h1: pkg query failed (exit 1): pkg: sqlite error while executing ...");
  }

  @Test
  void install_runsPkgNonInteractively() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("env", "ASSUME_ALWAYS_YES=yes", "pkg", "install", "-y", "frr10"), "Installing frr10...\n");

    driver.apply(host.target("h1"), Resources.change(pkg("frr10"), Observation.absent(pkg("frr10").id())));

    host.assertAllAnswered();
  }

  @Test
  void install_ofAnUnknownPackage_namesHostAndPackage() {
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("env", "ASSUME_ALWAYS_YES=yes", "pkg", "install", "-y", "nope"), 1,
            "Updating FreeBSD repository catalogue...\nAll repositories are up to date.\n",
            "pkg: No packages available to install matching 'nope' have been found in the repositories\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(pkg("nope"),
        Observation.absent(pkg("nope").id()))))
        .isInstanceOf(ActionException.class)
        .hasMessage("package `nope` on h1: no repository has it "
            + "(pkg: No packages available to install matching 'nope')");
  }

  @Test
  void delete_runsPkgDelete() throws Exception {
    Resource gone = Resources.absent("package", "frr10");
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("env", "ASSUME_ALWAYS_YES=yes", "pkg", "delete", "-y", "frr10"), "Deinstalling frr10...\n");

    driver.apply(host.target("h1"), Resources.change(gone,
        Observation.present(gone.id(), Properties.of(Map.of("installed", true)))));

    host.assertAllAnswered();
  }

  @Test
  void aNameThatCouldBeAnOption_isRefused() {
    assertThatThrownBy(() -> driver.probe(new ScriptedTransport().target("h1"), List.of(pkg("-f"))))
        .isInstanceOf(ProbeException.class)
        .hasMessageStartingWith("package `-f` on h1: not a package name");
  }
}

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

class RepositoryDriverTest {

  private static final String URL = "pkg+http://pkg.example.org/${ABI}/latest";
  private static final String PATH = "/usr/local/etc/pkg/repos/converge-local.conf";
  private static final String FILE = "# Written by converge (package-repository local); changes here are overwritten.\n"
      + "local: { url: \"" + URL + "\", enabled: yes }\n";
  private static final List<String> UPDATE = List.of("env", "ASSUME_ALWAYS_YES=yes", "pkg", "update", "-r", "local");

  private final RepositoryDriver driver = new RepositoryDriver();
  private final Resource local = Resources.present("package-repository", "local", Map.of("source", URL));

  @Test
  void rendersThePkgConfUclForm() {
    assertThat(new RepositoryConf("local", URL).text()).isEqualTo(FILE);
    assertThat(new RepositoryConf("local", URL).path()).isEqualTo(PATH);
  }

  @Test
  void probe_absentWithoutFile_presentWithItsUrl() throws Exception {
    Resource other = Resources.present("package-repository", "other", Map.of("source", URL));
    ScriptedTransport host = new ScriptedTransport().expect(script(RepositoryDriver.SCRIPT, "local", "other"),
        "= local\nexists\nc " + FILE.replace("\n", "\nc ").replaceAll("c $", "") + "= other\n");

    List<Observation> o = driver.probe(host.target("h1"), List.of(local, other));

    assertThat(Resources.diff(local, o.get(0))).isEmpty();
    assertThat(o.get(1).isPresent()).isFalse();
  }

  @Test
  void probe_ofAFileEditedByHand_showsItDiffers() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(RepositoryDriver.SCRIPT, "local"),
        "= local\nexists\nc local: { url: \"" + URL + "\", enabled: no }\n");

    Observation o = driver.probe(host.target("h1"), List.of(local)).get(0);

    assertThat(o.actual().orElseThrow().string("source")).contains(URL + " (file edited by hand)");
  }

  @Test
  void create_writesTheFileThenUpdatesTheCatalogue() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(UPDATE, "Updating local repository catalogue...\nlocal repository update completed.\n");

    driver.apply(host.target("h1"), Resources.change(local, Observation.absent(local.id())));

    assertThat(host.fileContent(PATH)).contains(FILE);
    assertThat(host.writes().get(0).attributes().octalMode()).isEqualTo("0644");
    host.assertAllAnswered();
  }

  @Test
  void create_makesTheDirectoryWhenMissing() throws Exception {
    ScriptedTransport host = new ScriptedTransport().failWrites(PATH)
        .expect(List.of("mkdir", "-p", "-m", "0755", "--", "/usr/local/etc/pkg/repos"), "")
        .expect(UPDATE, "");

    driver.apply(host.target("h1"), Resources.change(local, Observation.absent(local.id())));

    assertThat(host.fileContent(PATH)).contains(FILE);
  }

  @Test
  void aFailedUpdate_removesTheNewFileAndNamesHostAndRepository() {
    ScriptedTransport host = new ScriptedTransport()
        .expect(UPDATE, 1, "Updating local repository catalogue...\n",
            "pkg: http://pkg.example.org/FreeBSD:14:amd64/latest/meta.txz: Not Found\n"
                + "Unable to update repository local\n")
        .expect(List.of("rm", "-f", "--", PATH), "");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(local,
        Observation.absent(local.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessageStartingWith("package repository `local` on h1: pkg update -r local failed (exit 1): pkg: http")
        .hasMessageEndingWith("Unable to update repository local; the repository file was left as it was");
    host.assertAllAnswered();
  }

  @Test
  void aFailedUpdate_putsThePreviousFileBack() {
    String previous = "local: { url: \"http://old.example.org\", enabled: yes }\n";
    ScriptedTransport host = new ScriptedTransport().file(PATH, previous).expect(UPDATE, 1, "", "fetch error\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(local,
        Observation.absent(local.id())))).isInstanceOf(ActionException.class);
    assertThat(host.fileContent(PATH)).contains(previous);
  }

  @Test
  void delete_removesTheFile() throws Exception {
    Resource gone = Resources.absent("package-repository", "local");
    ScriptedTransport host = new ScriptedTransport().expect(List.of("rm", "-f", "--", PATH), "");

    driver.apply(host.target("h1"), Resources.change(gone, Observation.present(gone.id(),
        dev.converge.resource.Properties.of(Map.of("source", URL)))));

    host.assertAllAnswered();
  }

  @Test
  void aSourceThatWouldBreakTheUcl_isRefusedBeforeAnythingRuns() {
    Resource bad = Resources.present("package-repository", "local", Map.of("source", "http://x\", enabled: no"));
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(bad, Observation.absent(bad.id()))))
        .hasMessageStartingWith("package repository `local` on h1: source `http://x\", enabled: no` is not a "
            + "repository URL");
    assertThat(host.writes()).isEmpty();
  }
}

package dev.converge.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labs of different specs, and of one site in two directories, live side by side and go away one by one. */
class TwoLabsTest {

  private static final String SPEC = """
      site: %s
      hosts:
        web: { address: 192.0.2.1 }
        db: { address: 192.0.2.2 }
      networks:
        backend: { kind: links, cidr: 172.16.0.0/24, links: [[web, db]] }
      """;

  @TempDir Path dir;
  private final List<Lab> labs = new ArrayList<>();

  @AfterEach
  void down() {
    labs.forEach(Lab::down);
  }

  @Test
  void labsOfOneSiteInTwoDirectories_andOfAnotherSite_coexist() {
    assumeTrue(Prerequisites.isRoot(), "the lab needs root");
    Lab first = lab("twin", "one");
    Lab second = lab("twin", "two");
    Lab other = lab("other", "three");
    labs.forEach(l -> l.up(s -> {}));

    assertThat(labs).extracting(Lab::prefix).doesNotHaveDuplicates();
    assertThat(labs).extracting(l -> l.status().subnet().orElseThrow()).doesNotHaveDuplicates();
    for (Lab lab : labs) {
      assertThat(lab.status().up()).as(lab.prefix()).isTrue();
      assertThat(MachineView.run("ssh", "-F", lab.sshConfigFile().toString(), "db", "hostname").strip())
          .isEqualTo("db");
    }

    List<Long> processes = MachineView.processesOf(first);
    first.down();

    MachineView.assertNothingLeft(first, processes);
    assertThat(second.status().up()).isTrue();
    assertThat(other.status().up()).isTrue();
  }

  private Lab lab(String site, String directory) {
    Path home = dir.resolve(directory);
    Lab lab = Lab.of(LabSpecs.load(home, SPEC.formatted(site)), home.resolve(".converge"));
    labs.add(lab);
    return lab;
  }
}

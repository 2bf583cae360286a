package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DpkgStatusTest {

  @Test
  void installedPackages_countByNameAndByArchitectureQualifiedName() {
    assertThat(DpkgStatus.installed(Captured.read("dpkg-query-debian12.txt")))
        .containsExactlyInAnyOrder("libc6", "libc6:amd64", "procps", "sudo");
  }

  @Test
  void aRemovedPackageWithConfigFilesLeft_isNotInstalled() {
    assertThat(DpkgStatus.installed(Captured.read("dpkg-query-config-files-lab.txt")))
        .doesNotContain("converge-conf").contains("libc6", "procps");
  }

  @Test
  void aLineWithoutAStatus_isRejected() {
    assertThatThrownBy(() -> DpkgStatus.installed("procps\tprocps\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("procps");
  }
}

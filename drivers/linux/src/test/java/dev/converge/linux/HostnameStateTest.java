package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostnameStateTest {

  @Test
  void aHostWhoseFilesAgree_isDescribedByItsName() {
    HostnameState state = HostnameState.parse(Captured.read("hostname-debian12.txt"));

    assertThat(state).isEqualTo(new HostnameState("vm", "vm", Optional.empty()));
    assertThat(state.describe()).isEqualTo("vm");
  }

  @Test
  void aDriftedEtcHostname_isNamedInTheDescription() {
    HostnameState state = HostnameState.parse(Captured.read("hostname-drift-lab.txt"));

    assertThat(state).isEqualTo(new HostnameState("h1", "olds", Optional.of("h1")));
    assertThat(state.describe()).isEqualTo("h1 (/etc/hostname: olds)");
  }

  @Test
  void aMissingEtcHostname_andAStaleHostsLine_areBothNamed() {
    assertThat(new HostnameState("web", "", Optional.of("old")).describe())
        .isEqualTo("web (/etc/hostname: (none), /etc/hosts 127.0.1.1: old)");
  }

  @Test
  void outputWithoutTheRunningName_isRejected() {
    assertThatThrownBy(() -> HostnameState.parse("file\tvm\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected the running name");
  }

  @Test
  void theHostsLineNames_addTheShortNameOfAQualifiedName() {
    assertThat(HostnameDriver.hostsNames("server1.example.org")).isEqualTo("server1.example.org server1");
    assertThat(HostnameDriver.hostsNames("server1")).isEqualTo("server1");
  }
}

package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SysctlStateTest {

  @Test
  void liveValues_unknownKeys_andMissingFiles_fromThisMachine() {
    List<SysctlState> states = SysctlState.parse(Captured.read("sysctl-debian12.txt"),
        List.of("net.ipv4.ip_forward", "net.ipv4.ip_local_port_range", "net.nosuch", "kernel.ostype"));

    assertThat(states).containsExactly(
        new SysctlState(Optional.of("0"), Optional.empty()),
        new SysctlState(Optional.of("32768 60999"), Optional.empty()),
        new SysctlState(Optional.empty(), Optional.empty()),
        new SysctlState(Optional.of("Linux"), Optional.empty()));
  }

  @Test
  void persistedFiles_areReadForTheirLastAssignmentToTheKey() {
    List<SysctlState> states = SysctlState.parse(Captured.read("sysctl-persisted-lab.txt"),
        List.of("net.ipv4.ip_forward", "net.ipv4.ip_local_port_range", "net.ipv4.no_such_key"));

    assertThat(states).containsExactly(
        new SysctlState(Optional.of("1"), Optional.of("1")),
        new SysctlState(Optional.of("32768 60999"), Optional.of("32768 61000")),
        new SysctlState(Optional.empty(), Optional.empty()));
  }

  @Test
  void inSync_isReportedAsTheDesiredTextItself_whateverItsWhitespace() {
    assertThat(new SysctlState(Optional.of("32768 60999"), Optional.of("32768 60999")).describe("32768\t 60999"))
        .isEqualTo("32768\t 60999");
  }

  @Test
  void aValueNotPersisted_orPersistedDifferently_saysSo() {
    assertThat(new SysctlState(Optional.of("1"), Optional.empty()).describe("1")).isEqualTo("1 (not persisted)");
    assertThat(new SysctlState(Optional.of("1"), Optional.of("")).describe("1")).isEqualTo("1 (not persisted)");
    assertThat(new SysctlState(Optional.of("32768 60999"), Optional.of("32768 61000")).describe("32768 61000"))
        .isEqualTo("32768 60999 (persisted: 32768 61000)");
    assertThat(new SysctlState(Optional.of("0"), Optional.of("0")).describe("1")).isEqualTo("0");
  }

  @Test
  void aLineCountThatDoesNotMatchTheKeys_isRejected() {
    assertThatThrownBy(() -> SysctlState.parse("v\t1\t-\n", List.of("a.b", "c.d")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("one line per key (2), found 1");
  }
}

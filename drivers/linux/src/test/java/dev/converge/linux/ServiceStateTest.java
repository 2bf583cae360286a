package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceStateTest {

  @Test
  void sysvServices_enabledByRcLinks_runningByTheirStatus() {
    assertThat(ServiceState.parse(Captured.read("service-sysv-lab.txt"), 4)).containsExactly(
        new ServiceState(true, false, false),
        new ServiceState(true, true, false),
        new ServiceState(true, true, true),
        ServiceState.UNKNOWN);
  }

  @Test
  void onThisMachine_too() {
    assertThat(ServiceState.parse(Captured.read("service-sysv-debian12.txt"), 4)).extracting(ServiceState::known)
        .containsExactly(true, true, false, true);
  }

  @Test
  void outputWithoutTheInitSystem_orShort_isRejected() {
    assertThatThrownBy(() -> ServiceState.parse("known\tyes\tyes\n", 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("init system");
    assertThatThrownBy(() -> ServiceState.parse("sysv\n", 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("one line per service (1), found 0");
  }
}

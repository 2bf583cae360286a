package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.linux.IpForwardingDriver.Forwarding;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class IpForwardingTest {

  private static String file(String content) {
    return Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aFreshNetworkNamespace_forwardsNothing_andHasNoFile() {
    Forwarding f = Forwarding.parse(Captured.read("ip-forwarding-netns-debian12.txt"));

    assertThat(f.live()).isEqualTo("0");
    assertThat(f.persisted()).isEmpty();
  }

  @Test
  void enabled_isABooleanWhenKernelAndFileAgree_elseSaysWhatEachHolds() {
    assertThat(Forwarding.parse("1\n" + file("# written by converge\nnet.ipv4.ip_forward = 1\n")).enabled())
        .isEqualTo(true);
    assertThat(Forwarding.parse("0\n" + file("net/ipv4/ip_forward=0\n")).enabled()).isEqualTo(false);
    assertThat(Forwarding.parse("0\n" + file("net.ipv4.ip_forward = 1\n")).enabled())
        .isEqualTo("live 0, persisted 1");
    assertThat(Forwarding.parse("1\n" + file("# emptied by hand\n")).enabled()).isEqualTo("live 1, persisted nothing");
  }

  @Test
  void outputOfAnotherShape_isRefused() {
    assertThatThrownBy(() -> Forwarding.parse("cat: /proc/sys/net/ipv4/ip_forward: No such file\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected the live value");
  }
}

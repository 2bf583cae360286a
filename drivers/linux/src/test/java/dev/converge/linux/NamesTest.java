package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesTest {

  @ParameterizedTest
  @CsvSource({
      "HOSTNAME, server1.example.org",
      "HOSTNAME, h1",
      "SYSCTL_KEY, net.ipv4.ip_forward",
      "SYSCTL_KEY, net.ipv4.conf.all.forwarding",
      "REPOSITORY, local",
      "PACKAGE, converge-hello",
      "PACKAGE, libc6:amd64",
      "PACKAGE, g++",
      "ACCOUNT, cvprov",
      "ACCOUNT, _apt",
      "SERVICE, converge-hello",
      "SERVICE, getty@tty1.service"})
  void accepts(Names kind, String name) {
    assertThat(kind.require(name, "x on h1")).isEqualTo(name);
  }

  @ParameterizedTest
  @CsvSource({
      "HOSTNAME, -h",
      "HOSTNAME, a..b",
      "HOSTNAME, under_score",
      "SYSCTL_KEY, net/ipv4/ip_forward",
      "SYSCTL_KEY, ../../etc/passwd",
      "SYSCTL_KEY, -w",
      "REPOSITORY, ../x",
      "REPOSITORY, a.b",
      "PACKAGE, -y",
      "PACKAGE, Upper",
      "ACCOUNT, -r",
      "ACCOUNT, Root",
      "ACCOUNT, a b",
      "SERVICE, ../x",
      "SERVICE, -f"})
  void refuses_namingTheResourceAndWhatIsExpected(Names kind, String name) {
    assertThatThrownBy(() -> kind.require(name, "x on h1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("x on h1: `" + name + "` is not ");
  }
}

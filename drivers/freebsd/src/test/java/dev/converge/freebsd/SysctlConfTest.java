package dev.converge.freebsd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** sysctl.conf(5) as sysctl -f reads it: name=value, whitespace trimmed, # comments, the last line wins. */
class SysctlConfTest {

  private static final String TEXT = """
      # converge and the administrator share this file
      net.inet.ip.forwarding=1
      kern.ipc.somaxconn = 512   # tuned
      security.bsd.see_other_uids=0
      kern.ipc.somaxconn=1024
      """;

  @Test
  void value_isTheLastLineOfTheName_trimmedAndWithoutComment() {
    SysctlConf conf = SysctlConf.parse(TEXT);

    assertThat(conf.value("kern.ipc.somaxconn")).contains("1024");
    assertThat(conf.value("net.inet.ip.forwarding")).contains("1");
    assertThat(conf.value("net.inet")).isEmpty();
  }

  @Test
  void with_replacesTheFirstLineDropsLaterOnes_andKeepsEveryOtherLine() {
    String after = SysctlConf.parse(TEXT).with("kern.ipc.somaxconn", "4096").text();

    assertThat(after).isEqualTo("""
        # converge and the administrator share this file
        net.inet.ip.forwarding=1
        kern.ipc.somaxconn=4096
        security.bsd.see_other_uids=0
        """);
  }

  @Test
  void with_appendsANewName_andWithoutRemovesIt() {
    SysctlConf added = SysctlConf.parse("a.b=1\n").with("c.d", "2");

    assertThat(added.text()).isEqualTo("a.b=1\nc.d=2\n");
    assertThat(added.without("c.d").text()).isEqualTo("a.b=1\n");
    assertThat(SysctlConf.parse("").without("c.d").text()).isEmpty();
  }

  @Test
  void canHold_onlyValuesThatReadBackUnchanged() {
    assertThat(SysctlConf.canHold("1")).isTrue();
    assertThat(SysctlConf.canHold("a b")).isTrue();
    assertThat(SysctlConf.canHold("1 # x")).isFalse();
    assertThat(SysctlConf.canHold(" 1")).isFalse();
    assertThat(SysctlConf.canHold("")).isFalse();
  }
}

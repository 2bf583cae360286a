package dev.converge.freebsd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeOutputTest {

  @Test
  void linesBeforeTheFirstSectionAreThePreamble_andEachSectionKeepsItsTaggedLinesInOrder() {
    ProbeOutput out = ProbeOutput.parse("e /etc/rc.d/sshd\n= a\nk one\nk \nx\n= b\nk = not a section\n");

    assertThat(out.preamble().all("e")).containsExactly("/etc/rc.d/sshd");
    assertThat(out.section("a").orElseThrow().all("k")).containsExactly("one", "");
    assertThat(out.section("a").orElseThrow().has("x")).isTrue();
    assertThat(out.section("b").orElseThrow().first("k")).contains("= not a section");
    assertThat(out.section("c")).isEmpty();
  }

  @Test
  void script_passesValuesAsPositionalArguments() {
    assertThat(ProbeOutput.script("echo \"$1\"", List.of("a b")).argv())
        .containsExactly("sh", "-c", "echo \"$1\"", "sh", "a b");
  }
}

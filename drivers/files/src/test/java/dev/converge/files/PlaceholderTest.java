package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlaceholderTest {

  private static final String SHA = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";

  @Test
  void size_isHumanAndBinary() {
    assertThat(Placeholder.size(0)).isEqualTo("0 B");
    assertThat(Placeholder.size(1023)).isEqualTo("1023 B");
    assertThat(Placeholder.size(1536)).isEqualTo("1.5 KiB");
    assertThat(Placeholder.size((long) (2.3 * 1024 * 1024))).isEqualTo("2.3 MiB");
    assertThat(Placeholder.size(5L << 40)).isEqualTo("5.0 TiB");
  }

  @Test
  void placeholders_nameTheReasonTheSizeAndTheDigestPrefix() {
    assertThat(Placeholder.binary(2_411_725, SHA)).isEqualTo("(binary, 2.3 MiB, sha256 ab12cd34ef56…)");
    assertThat(Placeholder.tooLarge(3 << 20, SHA)).isEqualTo("(too large to show, 3.0 MiB, sha256 ab12cd34ef56…)");
    assertThat(Placeholder.unreadable(10, SHA)).isEqualTo("(unreadable, 10 B, sha256 ab12cd34ef56…)");
    assertThat(Placeholder.secret(10)).isEqualTo("(secret, not fetched, 10 B)");
  }
}

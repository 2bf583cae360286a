package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentFetchTest {

  @Test
  void split_cutsTheOutputByTheProbedSizes() {
    byte[] out = bytes("hello\n\nabc");

    List<Optional<byte[]>> files = ContentFetch.split(out, List.of(6L, 0L, 1L, 3L));

    assertThat(files).extracting(f -> f.map(ContentFetchTest::text).orElse(null))
        .containsExactly("hello\n", "", "\n", "abc");
  }

  @Test
  void split_leavesEverythingFromWhereTheOutputRanShortEmpty() {
    List<Optional<byte[]>> files = ContentFetch.split(bytes("abcde"), List.of(2L, 4L, 1L));

    assertThat(files.get(0)).hasValueSatisfying(b -> assertThat(text(b)).isEqualTo("ab"));
    assertThat(files.get(1)).isEmpty();
    assertThat(files.get(2)).isEmpty();
  }

  @Test
  void argv_isCatWithThePathsAsOperands() {
    assertThat(ContentFetch.argv(List.of("/a", "/-b"))).containsExactly("cat", "--", "/a", "/-b");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}

package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentFetchTest {

  @Test
  void parse_splitsFilesByTheirCountsWhateverBytesTheyHold() {
    byte[] out = bytes("6\nhello\n-\n0\n3\n\n-\n");

    List<Optional<byte[]>> files = ContentFetch.parse(out, 4);

    assertThat(files.get(0)).hasValueSatisfying(b -> assertThat(text(b)).isEqualTo("hello\n"));
    assertThat(files.get(1)).isEmpty();
    assertThat(files.get(2)).hasValueSatisfying(b -> assertThat(b).isEmpty());
    assertThat(files.get(3)).hasValueSatisfying(b -> assertThat(text(b)).isEqualTo("\n-\n"));
  }

  @Test
  void parse_givesUpOnTheRestWhenTheFramingBreaks() {
    byte[] out = bytes("2\nab9\nshort");

    List<Optional<byte[]>> files = ContentFetch.parse(out, 3);

    assertThat(files.get(0)).hasValueSatisfying(b -> assertThat(text(b)).isEqualTo("ab"));
    assertThat(files.get(1)).isEmpty();
    assertThat(files.get(2)).isEmpty();
  }

  @Test
  void parse_ofEmptyOutputGivesNothing() {
    assertThat(ContentFetch.parse(new byte[0], 2)).containsExactly(Optional.empty(), Optional.empty());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}

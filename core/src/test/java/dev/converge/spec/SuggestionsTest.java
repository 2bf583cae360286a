package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  private static final List<String> KEYS = List.of("address", "os", "ssh", "via", "loopback", "resolver");

  @Test
  void typos_withinTwoEdits_areSuggested() {
    assertThat(Suggestions.closest("adress", KEYS)).contains("address");
    assertThat(Suggestions.closest("adderss", KEYS)).contains("address");
    assertThat(Suggestions.closest("loopbakc", KEYS)).contains("loopback");
    assertThat(Suggestions.closest("resolvr", KEYS)).contains("resolver");
  }

  @Test
  void prefixes_areSuggested() {
    assertThat(Suggestions.closest("loop", KEYS)).contains("loopback");
  }

  @Test
  void aDifferentCase_isSuggested() {
    assertThat(Suggestions.closest("a", List.of("A", "AAAA"))).contains("A");
  }

  @Test
  void farOrTinyWords_getNoSuggestion() {
    assertThat(Suggestions.closest("zebra", KEYS)).isEmpty();
    assertThat(Suggestions.closest("x", KEYS)).isEmpty();
    assertThat(Suggestions.didYouMean("zebra", KEYS)).isEmpty();
  }

  @Test
  void transpositions_countAsOneEdit() {
    assertThat(Suggestions.distance("ssh", "shs")).isEqualTo(1);
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
  }

  @Test
  void tiesGoToTheAlphabeticallyFirst() {
    assertThat(Suggestions.closest("cat", List.of("cut", "bat"))).contains("bat");
  }
}

package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunksTest {

  @Test
  void of_cutsAtTheCountLimit() {
    List<Integer> items = IntStream.range(0, 2500).boxed().toList();

    List<List<Integer>> chunks = Chunks.of(items, 1000, i -> 1, Long.MAX_VALUE);

    assertThat(chunks).extracting(List::size).containsExactly(1000, 1000, 500);
    assertThat(chunks.stream().flatMap(List::stream).toList()).isEqualTo(items);
  }

  @Test
  void of_cutsAtTheWeightLimitAndGivesAHeavyItemItsOwnChunk() {
    List<Integer> weights = List.of(3, 3, 3, 10, 1);

    List<List<Integer>> chunks = Chunks.of(weights, 100, i -> i, 6);

    assertThat(chunks).containsExactly(List.of(3, 3), List.of(3), List.of(10), List.of(1));
  }

  @Test
  void of_anEmptyListHasNoChunks() {
    assertThat(Chunks.of(List.<String>of(), 10, s -> 1, 10)).isEmpty();
  }
}

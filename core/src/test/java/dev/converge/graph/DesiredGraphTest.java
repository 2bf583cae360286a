package dev.converge.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DesiredGraphTest {

  private static ResourceId id(String name) {
    return ResourceId.of("mem", "h", name);
  }

  private static Resource at(String name, int line) {
    return Resource.present(id(name), Properties.empty(), new Location(Path.of("site.yaml"), line, 5));
  }

  /** Builds a graph from "ab" edge strings: a before b. */
  private static DesiredGraph graph(String nodes, String... edges) throws CycleException {
    DesiredGraph.Builder b = DesiredGraph.builder();
    for (char c : nodes.toCharArray()) {
      b.add(at(String.valueOf(c), 1 + c - 'a'));
    }
    for (String e : edges) {
      b.requires(id(e.substring(1, 2)), id(e.substring(0, 1)));
    }
    return b.build();
  }

  @Test
  void topologicalOrderPutsDependenciesFirstAndBreaksTiesById() throws CycleException {
    //   d → b → a      c (independent)
    assertThat(graph("dcba", "db", "ba").topologicalOrder()).extracting(ResourceId::name)
        .containsExactly("c", "d", "b", "a");
  }

  @Test
  void theSameGraphAlwaysGivesTheSameOrder() throws CycleException {
    String first = graph("abcdefg", "ab", "ac", "bd", "cd", "eg").topologicalOrder().toString();
    for (int i = 0; i < 20; i++) {
      assertThat(graph("gfedcba", "eg", "cd", "bd", "ac", "ab").topologicalOrder().toString()).isEqualTo(first);
    }
  }

  @Test
  void aCycleIsAnErrorNamingEveryMemberInOrderWithItsLocation() {
    //   a → b → c → a,  d → e (fine),  c → f (downstream of the cycle, not on it)
    assertThatThrownBy(() -> graph("abcdef", "ab", "bc", "ca", "de", "cf"))
        .isInstanceOf(CycleException.class)
        .hasMessage("dependency cycle: mem/h:a → mem/h:b → mem/h:c → mem/h:a\n"
            + "  mem/h:a (site.yaml:1:5)\n"
            + "  mem/h:b (site.yaml:2:5)\n"
            + "  mem/h:c (site.yaml:3:5)")
        .satisfies(e -> assertThat(((CycleException) e).cycles()).hasSize(1));
  }

  @Test
  void twoSeparateCyclesAreBothReported() {
    assertThatThrownBy(() -> graph("abcd", "ab", "ba", "cd", "dc"))
        .isInstanceOf(CycleException.class)
        .satisfies(e -> assertThat(((CycleException) e).cycles()).extracting(c -> c.size()).containsExactly(2, 2));
  }

  @Test
  void aResourceRequiringItselfIsACycle() {
    assertThatThrownBy(() -> graph("a", "aa")).isInstanceOf(CycleException.class)
        .hasMessageStartingWith("dependency cycle: mem/h:a → mem/h:a");
  }

  @Test
  void aLongChainNeitherOverflowsTheStackNorTakesLong() throws CycleException {
    DesiredGraph.Builder b = DesiredGraph.builder();
    for (int i = 0; i < 100_000; i++) {
      b.add(Resource.present(ResourceId.of("mem", "h", String.format("%06d", i)), Properties.empty(),
          Location.unknown()));
      if (i > 0) {
        b.requires(ResourceId.of("mem", "h", String.format("%06d", i)),
            ResourceId.of("mem", "h", String.format("%06d", i - 1)));
      }
    }
    b.requires(ResourceId.of("mem", "h", "000000"), ResourceId.of("mem", "h", "099999"));
    assertThatThrownBy(b::build).isInstanceOf(CycleException.class)
        .satisfies(e -> assertThat(((CycleException) e).cycles().get(0)).hasSize(100_000));
  }

  @Test
  void downstreamIsEverythingThatDependsTransitively() throws CycleException {
    DesiredGraph g = graph("abcde", "ab", "bc", "de");
    assertThat(g.downstreamOf(java.util.List.of(id("b")))).extracting(ResourceId::name)
        .containsExactlyInAnyOrder("b", "c");
  }
}

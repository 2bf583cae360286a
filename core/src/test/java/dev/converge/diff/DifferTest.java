package dev.converge.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DifferTest {

  private static final ResourceId ID = ResourceId.of("file", "h", "/etc/x");

  private static Resource want(Map<String, Object> p) {
    return Resource.present(ID, Properties.of(p), Location.unknown());
  }

  private static Observation have(Map<String, Object> p) {
    return Observation.present(ID, Properties.of(p));
  }

  @Test
  void equalFieldsMeanNoChange() {
    assertThat(Differ.diff(want(Map.of("mode", "0644")), have(Map.of("mode", "0644")), Set.of())).isEmpty();
  }

  @Test
  void fieldsTheSpecDoesNotSetAreNotManaged() {
    assertThat(Differ.diff(want(Map.of("mode", "0644")), have(Map.of("mode", "0644", "owner", "bob")), Set.of()))
        .isEmpty();
  }

  @Test
  void anUpdateCarriesBeforeAndAfterOfEachDifferingFieldInFieldOrder() {
    Change c = Differ.diff(want(Map.of("mode", "0600", "content", "new", "owner", "root")),
        have(Map.of("mode", "0644", "content", "old", "owner", "root")), Set.of()).orElseThrow();

    assertThat(c.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(c.fields()).extracting(f -> f.field() + ": " + f.before().orElse("-") + " → " + f.after().orElse("-"))
        .containsExactly("content: old → new", "mode: 0644 → 0600");
  }

  @Test
  void aMissingObservedFieldIsAChangeFromNothing() {
    Change c = Differ.diff(want(Map.of("owner", "root")), have(Map.of()), Set.of()).orElseThrow();

    assertThat(c.fields()).singleElement().satisfies(f -> assertThat(f.before()).isEmpty());
  }

  @Test
  void aChangedImmutableFieldMakesAReplaceWithItsReason() {
    Change c = Differ.diff(want(Map.of("image", "b", "size", 2L)), have(Map.of("image", "a", "size", 1L)),
        Set.of("image")).orElseThrow();

    assertThat(c.type()).isEqualTo(ChangeType.REPLACE);
    assertThat(c.reason()).contains("`image` cannot change in place");
  }

  @Test
  void absentOnBothSidesIsNoChangeAndPresentVersusAbsentIsCreateOrDelete() {
    Resource gone = Resource.absent(ID, Location.unknown());
    assertThat(Differ.diff(gone, Observation.absent(ID), Set.of())).isEmpty();
    assertThat(Differ.diff(gone, have(Map.of("mode", "0644")), Set.of()).map(Change::type))
        .contains(ChangeType.DELETE);
    assertThat(Differ.diff(want(Map.of("mode", "0644")), Observation.absent(ID), Set.of()).map(Change::type))
        .contains(ChangeType.CREATE);
  }

  @Test
  void aSensitiveValueEqualToThePlainObservedOneIsInSync() {
    assertThat(Differ.diff(want(Map.of("content", new Sensitive("s3cret"))), have(Map.of("content", "s3cret")),
        Set.of())).isEmpty();
    Change c = Differ.diff(want(Map.of("content", new Sensitive("new"))), have(Map.of("content", "old")), Set.of())
        .orElseThrow();
    assertThat(c.fields().get(0).isSensitive()).isTrue();
    assertThat(c.fields().get(0).after()).hasValueSatisfying(v -> assertThat(v).hasToString("(sensitive)"));
    assertThat(Optional.of(c).toString()).doesNotContain("new");
  }
}

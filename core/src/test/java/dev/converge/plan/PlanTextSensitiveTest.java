package dev.converge.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.FieldChange;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanTextSensitiveTest {

  private static String render(Object before, Object after) {
    ResourceId id = ResourceId.of("ospf-router", "r1", "ospf");
    Resource desired = Resource.present(id, Properties.of(Map.of("interfaces", after)), Location.unknown());
    Change c = new Change(ChangeType.UPDATE, desired, Observation.absent(id),
        List.of(new FieldChange("interfaces", Optional.of(before), Optional.of(after))), Optional.empty(),
        Optional.empty());
    return PlanText.plain().change(c);
  }

  @Test
  void aMapHoldingASecret_showsWhatChanged_withTheSecretRedacted() {
    Object before = Properties.of(Map.of("x", Map.of("hello", 1L, "md5-key", new Sensitive("k1")))).asMap().get("x");
    Object after = Properties.of(Map.of("x", Map.of("hello", 2L, "md5-key", new Sensitive("k2")))).asMap().get("x");

    assertThat(render(before, after))
        .contains("interfaces: {hello: 1, md5-key: (sensitive)} → {hello: 2, md5-key: (sensitive)}")
        .doesNotContain("k1").doesNotContain("k2");
  }

  @Test
  void aSecretValue_isRedactedWhole() {
    assertThat(render(new Sensitive("k1"), new Sensitive("k2"))).contains("interfaces: (sensitive) → (sensitive)")
        .doesNotContain("k1").doesNotContain("k2");
  }
}

package dev.converge.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableSortedMap;
import dev.converge.resource.ResourceId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final ResourceId HOST = ResourceId.of("host", "server1", "server1");
  private static final ResourceId MOTD = ResourceId.of("file", "server1", "/etc/motd");

  @Test
  void empty_hasAFreshLineageSerialZeroAndNothingInIt() {
    State a = State.empty("example");
    State b = State.empty("example");

    assertThat(a.lineage()).isNotEqualTo(b.lineage());
    assertThat(a.serial()).isZero();
    assertThat(a.site()).isEqualTo("example");
    assertThat(a.resources()).isEmpty();
    assertThat(a.allocations()).isEmpty();
  }

  @Test
  void withResource_recordsOrReplacesWithoutTouchingTheOriginal() {
    State empty = State.empty("example");
    State one = empty.withResource(Ownership.created(MOTD, List.of(HOST), T0));
    State replaced = one.withResource(Ownership.adopted(MOTD, List.of(), T0.plusSeconds(1)));

    assertThat(empty.resources()).isEmpty();
    assertThat(one.ownership(MOTD)).get().extracting(Ownership::created, Ownership::requires)
        .containsExactly(true, Set.of(HOST));
    assertThat(replaced.resources()).hasSize(1);
    assertThat(replaced.ownership(MOTD)).get().extracting(Ownership::created).isEqualTo(false);
    assertThat(replaced.lineage()).isEqualTo(empty.lineage());
  }

  @Test
  void withoutResource_forgetsIt() {
    State one = State.empty("example").withResources(List.of(
        Ownership.created(MOTD, List.of(HOST), T0), Ownership.adopted(HOST, List.of(), T0)));

    State rest = one.withoutResource(MOTD);

    assertThat(rest.resources()).containsOnlyKeys(HOST);
    assertThat(rest.withoutResource(MOTD)).isEqualTo(rest);
  }

  @Test
  void resources_areSortedByIdAndCannotBeModified() {
    State s = State.empty("example").withResources(List.of(
        Ownership.created(MOTD, List.of(), T0), Ownership.created(HOST, List.of(), T0)));

    assertThat(s.resources().keySet()).containsExactly(MOTD, HOST);
    assertThatThrownBy(() -> s.resources().remove(MOTD)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.ownership(MOTD).orElseThrow().requires().add(HOST))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void resources_mustBeRecordedUnderTheirOwnId() {
    assertThatThrownBy(() -> new State("l", 0, "example",
        ImmutableSortedMap.of(HOST, Ownership.created(MOTD, List.of(), T0)), ImmutableSortedMap.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(HOST.toString()).hasMessageContaining(MOTD.toString());
  }

  @Test
  void ownership_cannotRequireItself() {
    assertThatThrownBy(() -> Ownership.created(MOTD, List.of(MOTD), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot require itself");
  }

  @Test
  void withAllocation_givesAnOwnerOneAddressPerNetwork() {
    State s = State.empty("example")
        .withAllocation("jails", "web", "172.16.3.3")
        .withAllocation("jails", "db", "172.16.3.4")
        .withAllocation("jails", "web", "172.16.3.5");

    assertThat(s.allocations()).containsOnlyKeys("jails");
    assertThat(s.allocations().get("jails")).containsExactly(
        Map.entry("db", "172.16.3.4"), Map.entry("web", "172.16.3.5"));
    assertThat(s.allocation("jails", "web")).contains("172.16.3.5");
    assertThat(s.allocation("vms", "web")).isEmpty();
  }

  @Test
  void withAllocation_refusesAnAddressThatAnotherOwnerHolds() {
    State s = State.empty("example").withAllocation("jails", "web", "172.16.3.3");

    assertThatThrownBy(() -> s.withAllocation("jails", "db", "172.16.3.3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("address 172.16.3.3 in network jails is allocated to both db and web");
    assertThat(s.withAllocation("vms", "db", "172.16.3.3").allocation("vms", "db")).contains("172.16.3.3");
  }

  @Test
  void withoutAllocation_dropsANetworkLeftEmpty() {
    State s = State.empty("example").withAllocation("jails", "web", "172.16.3.3");

    State none = s.withoutAllocation("jails", "web");

    assertThat(none.allocations()).isEmpty();
    assertThat(none.withoutAllocation("jails", "web")).isSameAs(none);
  }
}

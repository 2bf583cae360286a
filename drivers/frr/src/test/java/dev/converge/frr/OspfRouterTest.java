package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import dev.converge.resource.Sensitive;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OspfRouterTest {

  private static final String WHERE = "ospf-router ospf on fx2";

  private static Properties withInterface(String name, Map<String, Object> fields) {
    return Routers.fx2().with("interfaces", Map.of(name, fields));
  }

  @Test
  void theContractsProperties_roundTrip() {
    assertThat(OspfRouter.of(Routers.fx2(), WHERE).toProperties()).isEqualTo(Routers.fx2());
  }

  @Test
  void fastConvergence_roundTrips_andIsRefusedUnlessABoolean() {
    Properties fast = Routers.fx2().with("fast-convergence", true);

    assertThat(OspfRouter.of(fast, WHERE).toProperties()).isEqualTo(fast);
    assertThatThrownBy(() -> OspfRouter.of(Routers.fx2().with("fast-convergence", "yes"), WHERE))
        .hasMessage(WHERE + ": `fast-convergence` must be true or false, found yes");
  }

  @Test
  void redistribute_isSortedWithoutDuplicates_likeTheCompilersList_andEmptyWhenAbsent() {
    Properties listed = Routers.fx2().with("redistribute", List.of("10.0.1.9/32", "10.0.1.10/32", "10.0.1.9/32"));

    assertThat(OspfRouter.of(listed, WHERE).redistribute()).containsExactly("10.0.1.10/32", "10.0.1.9/32");
    assertThat(OspfRouter.of(Routers.fx2(), WHERE).toProperties().asMap()).containsEntry("redistribute", List.of());
  }

  @Test
  void redistribute_takesIpv4PrefixesOnly_namingHostAndValue() {
    for (Object bad : List.of("2001:db8::1/128", "jail1", "10.0.1.5/32 route-map x", "10.0.1.5/33")) {
      assertThatThrownBy(() -> OspfRouter.of(Routers.fx2().with("redistribute", List.of(bad)), WHERE))
          .hasMessageStartingWith(WHERE).hasMessageContaining(String.valueOf(bad));
    }
    assertThatThrownBy(() -> OspfRouter.of(Routers.fx2().with("redistribute", "10.0.1.5/32"), WHERE))
        .hasMessageContaining("`redistribute` must be a list");
  }

  @Test
  void anInterfaceNameThatCouldInjectConfigLines_isRefused_namingHostAndValue() {
    assertThatThrownBy(() -> OspfRouter.of(withInterface("eth0\nrouter bgp 1", Routers.link("k")), WHERE))
        .hasMessageStartingWith(WHERE).hasMessageContaining("is not an interface name");
  }

  @Test
  void anMd5KeyFrrWouldTruncateOrSplit_isRefused_withoutShowingIt() {
    for (String key : new String[] {"seventeen-chars-x", "two words", ""}) {
      assertThatThrownBy(() -> OspfRouter.of(withInterface("eth0", Routers.link(key)), WHERE))
          .hasMessageStartingWith(WHERE + ", interface eth0").hasMessageContaining("md5-key")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key.isEmpty() ? "\u0000" : key));
    }
  }

  @Test
  void timersOutOfRange_unknownFields_andBadPrefixes_areRefused() {
    Map<String, Object> slow = new java.util.TreeMap<>(Routers.link("k"));
    slow.put("hello", 70000L);
    assertThatThrownBy(() -> OspfRouter.of(withInterface("eth0", slow), WHERE)).hasMessageContaining("`hello`");
    assertThatThrownBy(() -> OspfRouter.of(withInterface("eth0", Map.of("cost", 5L)), WHERE))
        .hasMessageContaining("unknown field `cost`");
    assertThatThrownBy(() -> OspfRouter.of(Routers.fx2().with("networks", Map.of("10.0.0.1/24", "0.0.0.0")), WHERE))
        .hasMessageContaining("10.0.0.1/24").hasMessageContaining("host bits");
    assertThatThrownBy(() -> OspfRouter.of(Routers.fx2().with("router-id", "router1"), WHERE))
        .hasMessageContaining("`router-id` must be a dotted IPv4 quad");
  }

  @Test
  void theKeyLine_carriesTheKey_inFrrsOrder() {
    var i = OspfRouter.of(withInterface("eth0", Routers.link("k1")), WHERE).interfaces().get("eth0");

    assertThat(i.md5Key()).contains(new Sensitive("k1"));
    assertThat(i.configLines()).containsExactly(" ip ospf authentication message-digest",
        " ip ospf dead-interval 3", " ip ospf hello-interval 1", " ip ospf message-digest-key 1 md5 k1",
        " ip ospf network point-to-point", " no ip ospf passive");
  }
}

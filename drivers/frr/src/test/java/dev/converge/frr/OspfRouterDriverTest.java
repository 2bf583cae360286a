package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.Driver;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class OspfRouterDriverTest {

  @Test
  void isRegistered_forOspfRouters_onLinuxAndFreeBsd() {
    Driver d = ServiceLoader.load(Driver.class).stream().map(ServiceLoader.Provider::get)
        .filter(x -> x.kind().equals("ospf-router")).findFirst().orElseThrow();

    assertThat(d.platforms()).containsExactlyInAnyOrder("linux", "freebsd");
  }

  @Test
  void errorsNeverCarryAnMd5Key() {
    assertThat(OspfRouterDriver.redact("line 12: % Unknown command:  ip ospf message-digest-key 1 md5 s3cr3t"))
        .isEqualTo("line 12: % Unknown command:  ip ospf message-digest-key 1 md5 (sensitive)");
  }

  @Test
  void readinessTimeout_followsTheDeadInterval() {
    Resource fast = Resource.present(ResourceId.of("ospf-router", "fx2", "ospf"), Routers.fx2(), Location.unknown());
    Properties defaults = Routers.fx2().with("interfaces", Map.of("lo1", Map.of("area", "0.0.0.0", "passive", true)));
    Resource slow = Resource.present(ResourceId.of("ospf-router", "fx2", "ospf"), defaults, Location.unknown());

    assertThat(new OspfRouterDriver().readinessTimeout(fast)).isEqualTo(Duration.ofSeconds(39));
    assertThat(new OspfRouterDriver().readinessTimeout(slow)).isEqualTo(Duration.ofSeconds(150));
  }
}

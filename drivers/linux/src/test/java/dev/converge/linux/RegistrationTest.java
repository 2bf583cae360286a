package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.DriverRegistry;
import org.junit.jupiter.api.Test;

class RegistrationTest {

  @Test
  void everyHostBasicsAndNetworkKind_hasALinuxDriver_foundByServiceLoader() {
    DriverRegistry registry = DriverRegistry.load();

    for (String kind : new String[] {"hostname", "sysctl", "package-repository", "package", "user", "service",
        "interface", "ip-forwarding", "nat"}) {
      assertThat(registry.driverFor(kind, "linux")).as(kind).isPresent();
      assertThat(registry.driverFor(kind, "freebsd")).as(kind + " is not served on FreeBSD").isEmpty();
    }
  }
}

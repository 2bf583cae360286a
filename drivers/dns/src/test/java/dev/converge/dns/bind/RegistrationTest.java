package dev.converge.dns.bind;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.DriverRegistry;
import org.junit.jupiter.api.Test;

class RegistrationTest {

  @Test
  void dnsZone_hasADriverPerPlatform() {
    DriverRegistry registry = DriverRegistry.load();

    assertThat(registry.driverFor(ZoneDriver.KIND, "linux")).containsInstanceOf(LinuxZoneDriver.class);
    assertThat(registry.driverFor(ZoneDriver.KIND, "freebsd")).containsInstanceOf(FreeBsdZoneDriver.class);
  }
}

package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.DriverRegistry;
import org.junit.jupiter.api.Test;

class FileDriverTest {

  @Test
  void isFoundByTheRegistryForKindFileOnEveryPlatform() {
    DriverRegistry registry = DriverRegistry.load();

    assertThat(registry.driverFor("file", "linux")).containsInstanceOf(FileDriver.class);
    assertThat(registry.driverFor("file", "freebsd")).containsInstanceOf(FileDriver.class);
  }

  @Test
  void hasNoImmutableFields() {
    assertThat(new FileDriver().immutableFields()).isEmpty();
  }
}

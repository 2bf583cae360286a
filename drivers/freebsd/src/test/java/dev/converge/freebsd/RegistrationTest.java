package dev.converge.freebsd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.DriverRegistry;
import dev.converge.freebsd.jail.JailDriver;
import org.junit.jupiter.api.Test;

class RegistrationTest {

  @Test
  void everyHostBasicsNetworkAndJailKindHasAFreeBsdDriver_andNoneOfThemClaimsLinux() {
    DriverRegistry registry = DriverRegistry.load();

    assertThat(registry.driverFor("hostname", "freebsd")).containsInstanceOf(HostnameDriver.class);
    assertThat(registry.driverFor("sysctl", "freebsd")).containsInstanceOf(SysctlDriver.class);
    assertThat(registry.driverFor("package-repository", "freebsd")).containsInstanceOf(RepositoryDriver.class);
    assertThat(registry.driverFor("package", "freebsd")).containsInstanceOf(PackageDriver.class);
    assertThat(registry.driverFor("user", "freebsd")).containsInstanceOf(UserDriver.class);
    assertThat(registry.driverFor("service", "freebsd")).containsInstanceOf(ServiceDriver.class);
    assertThat(registry.driverFor("interface", "freebsd")).containsInstanceOf(InterfaceDriver.class);
    assertThat(registry.driverFor("ip-forwarding", "freebsd")).containsInstanceOf(IpForwardingDriver.class);
    assertThat(registry.driverFor("nat", "freebsd")).containsInstanceOf(NatDriver.class);
    assertThat(registry.driverFor("jail", "freebsd")).containsInstanceOf(JailDriver.class);
    // the image drivers (another module) are on the classpath too: only this module's drivers are checked
    for (String kind : registry.kinds()) {
      registry.driverFor(kind, "linux").ifPresent(d ->
          assertThat(d.getClass().getPackageName()).as(kind).doesNotStartWith("dev.converge.freebsd"));
    }
  }
}

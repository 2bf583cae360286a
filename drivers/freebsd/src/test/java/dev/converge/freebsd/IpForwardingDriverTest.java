package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpForwardingDriverTest {

  private final IpForwardingDriver driver = new IpForwardingDriver();
  private final Resource ipv4 = Resources.present("ip-forwarding", "ipv4", Map.of("enabled", true));

  @Test
  void probe_forwardingNowAndAtBoot_isInSync() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(IpForwardingDriver.SCRIPT), "live 1\nrc YES\n");

    Observation o = driver.probe(host.target("h1"), List.of(ipv4)).get(0);

    assertThat(Resources.diff(ipv4, o)).isEmpty();
    host.assertAllAnswered();
  }

  @Test
  void probe_onNowButNotAtBoot_saysWhich() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(IpForwardingDriver.SCRIPT), "live 1\nrc NO\n");

    Observation o = driver.probe(host.target("h1"), List.of(ipv4)).get(0);

    assertThat(o.actual().orElseThrow().get("enabled")).contains("true (gateway_enable: NO)");
  }

  @Test
  void apply_whenOff_setsTheSysctlAndGatewayEnable() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(IpForwardingDriver.SCRIPT), "live 0\nrc NO\n")
        .expect(List.of("sysctl", "net.inet.ip.forwarding=1"), "net.inet.ip.forwarding: 0 -> 1\n")
        .expect(List.of("sysrc", "gateway_enable=YES"), "gateway_enable: NO -> YES\n");
    Observation seen = driver.probe(host.target("h1"), List.of(ipv4)).get(0);
    assertThat(seen.isPresent()).as("off everywhere is a create").isFalse();

    driver.apply(host.target("h1"), Resources.change(ipv4, seen));

    host.assertAllAnswered();
  }

  @Test
  void apply_whenOnlyBootDiffers_touchesOnlyRcConf() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(IpForwardingDriver.SCRIPT), "live 1\nrc no\n")
        .expect(List.of("sysrc", "gateway_enable=YES"), "gateway_enable: no -> YES\n");
    Observation seen = driver.probe(host.target("h1"), List.of(ipv4)).get(0);

    driver.apply(host.target("h1"), Resources.change(ipv4, seen));

    host.assertAllAnswered();
  }

  @Test
  void delete_turnsForwardingOffNowAndAtBoot() throws Exception {
    Resource gone = Resources.absent("ip-forwarding", "ipv4");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(IpForwardingDriver.SCRIPT), "live 1\nrc YES\n")
        .expect(List.of("sysctl", "net.inet.ip.forwarding=0"), "")
        .expect(List.of("sysrc", "gateway_enable=NO"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }

  @Test
  void ipv6_isRefusedNamingHost() {
    Resource v6 = Resources.present("ip-forwarding", "ipv6", Map.of("enabled", true));

    assertThatThrownBy(() -> driver.probe(new ScriptedTransport().target("h1"), List.of(v6)))
        .hasMessage("ip-forwarding `ipv6` on h1: not supported (expected `ipv4`)");
  }
}

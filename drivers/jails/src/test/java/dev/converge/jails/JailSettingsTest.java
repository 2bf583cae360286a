package dev.converge.jails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a jail's desired properties must look like before any of them reaches a host command. */
class JailSettingsTest {

  private static Map<String, Object> valid() {
    Map<String, Object> p = new HashMap<>();
    p.put("image", "debian");
    p.put("network", Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", "172.16.3.2",
        "prefix", 32L, "gateway", "172.16.3.1"));
    p.put("hostname", "web.my.domain");
    p.put("running", true);
    return p;
  }

  @Test
  void aValidJail_isRead_withDefaults() {
    JailSettings jail = JailSettings.of("web", Properties.of(valid()));
    assertThat(jail.runtime()).isEqualTo("netns");
    assertThat(jail.start()).isEmpty();
    assertThat(jail.network().address()).isEqualTo("172.16.3.2");
    assertThat(jail.root()).isEqualTo("/var/lib/jails/web/root");
  }

  @Test
  void vethNames_fitIfnamsiz_shortenedDeterministically() {
    assertThat(JailSettings.veth("web")).isEqualTo("vj-web");
    assertThat(JailSettings.veth("abcdefghijkl")).isEqualTo("vj-abcdefghijkl");
    String shortened = JailSettings.veth("a-very-long-jail-name");
    assertThat(shortened).hasSize(15).startsWith("vj-a-very-l").isEqualTo(JailSettings.veth("a-very-long-jail-name"));
    assertThat(shortened).isNotEqualTo(JailSettings.veth("a-very-long-jail-nam"));
  }

  @Test
  void badValues_areRefused_namingFieldAndValue() {
    Map<String, Object> p = valid();
    p.put("network", Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", "10.0.0.1; reboot",
        "prefix", 32L, "gateway", "172.16.3.1"));
    assertThatThrownBy(() -> JailSettings.of("web", Properties.of(p)))
        .hasMessageContaining("`network.address` is `10.0.0.1; reboot`, expected an IPv4 address");

    Map<String, Object> q = valid();
    q.put("users", Map.of("Root!", Map.of()));
    assertThatThrownBy(() -> JailSettings.of("web", Properties.of(q))).hasMessageContaining("`Root!`");

    Map<String, Object> r = valid();
    r.put("mounts", List.of(Map.of("source", "/data", "target", "/srv/../../etc")));
    assertThatThrownBy(() -> JailSettings.of("web", Properties.of(r)))
        .hasMessageContaining("mount target `/srv/../../etc` is not an absolute, normalised path");

    Map<String, Object> s = valid();
    s.put("users", Map.of("ops", Map.of("ssh-key", "ssh-ed25519 AAAA x\nroot ALL")));
    assertThatThrownBy(() -> JailSettings.of("web", Properties.of(s))).hasMessageContaining("one line");

    assertThatThrownBy(() -> JailSettings.of("-web", Properties.of(valid()))).hasMessageContaining("jail name");
    Map<String, Object> t = valid();
    t.put("network", Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", "172.16.3.2",
        "prefix", 24L, "gateway", "172.16.3.1"));
    assertThatThrownBy(() -> JailSettings.of("web", Properties.of(t))).hasMessageContaining("expected 32");
  }
}

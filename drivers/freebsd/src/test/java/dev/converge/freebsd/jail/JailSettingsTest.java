package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JailSettingsTest {

  @Test
  void readsEveryFieldOfTheContract() {
    JailSettings s = Jails.settings(Jails.web());

    assertThat(s.network()).isEqualTo(new JailSettings.Network("jails", JailSettings.Network.Kind.LOOPBACK, "lo2",
        "172.16.3.2", 32, "172.16.3.1"));
    assertThat(s.mounts()).containsExactly(new JailSettings.Mount("/data/www", "/usr/local/www", true),
        new JailSettings.Mount("/data/logs", "/var/log/web", false));
    assertThat(s.users()).containsOnlyKeys("provision");
    assertThat(s.users().get("provision").sudo()).isTrue();
    assertThat(s.root()).isEqualTo("/usr/local/converge/jails/web/root");
    assertThat(s.record()).isEqualTo("/usr/local/converge/jails/web/jail.json");
  }

  @Test
  void aNewlineInTheHostnameIsRefusedNamingHostJailAndValue() {
    Map<String, Object> p = Jails.minimal();
    p.put("hostname", "web\nexec.start = \"rm -rf /\"");

    assertThatThrownBy(() -> Jails.settings(p)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("jail `web` on h1: hostname `web\\nexec.start")
        .hasMessageContaining("is not valid");
  }

  @Test
  void keyTextIsCheckedLineByLine() {
    Map<String, Object> p = Jails.minimal();
    p.put("users", Map.of("provision", Map.of("ssh-key", "ssh-ed25519 AAAA a\nssh-rsa BBBB b", "sudo", false)));
    assertThat(Jails.settings(p).users().get("provision").sshKey()).contains("ssh-ed25519 AAAA a\nssh-rsa BBBB b\n");

    p.put("users", Map.of("provision", Map.of("ssh-key", "ssh-ed25519 AAAA a\u0000\n")));
    assertThatThrownBy(() -> Jails.settings(p)).hasMessageStartingWith("jail `web` on h1: ssh-key of provision");
  }

  @Test
  void aNewlineInTheStartCommandIsRefused() {
    Map<String, Object> p = Jails.minimal();
    p.put("start", "httpd\nrm -rf /");

    assertThatThrownBy(() -> Jails.settings(p)).hasMessage("jail `web` on h1: start `httpd\\nrm -rf /` must be one "
        + "non-empty line without control characters");
  }

  @Test
  void aMountPathWithABlankWouldBreakFstabAndIsRefused() {
    Map<String, Object> p = Jails.minimal();
    p.put("mounts", List.of(Map.of("source", "/data/my www", "target", "/www", "read-only", true)));

    assertThatThrownBy(() -> Jails.settings(p)).hasMessageStartingWith("jail `web` on h1: mount source "
        + "`/data/my www` must be an absolute path");
  }

  @Test
  void aLoopbackJailOwnsExactlyOneAddress() {
    Map<String, Object> p = Jails.minimal();
    p.put("network", Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", "172.16.3.2",
        "prefix", 24, "gateway", "172.16.3.1"));

    assertThatThrownBy(() -> Jails.settings(p)).hasMessage("jail `web` on h1: network prefix 24 on a loopback "
        + "network: the jail owns a /32 there");
  }

  @Test
  void aJailNameWithADotWouldMakeAChildJailAndIsRefused() {
    assertThatThrownBy(() -> JailSettings.of("h1", "web.child", Properties.of(Jails.minimal())))
        .hasMessageStartingWith("jail `web.child` on h1: not a jail name");
  }

  @Test
  void aMalformedDigestIsRefused() {
    Map<String, Object> p = Jails.minimal();
    p.put("image-digest", "sha256:xyz");

    assertThatThrownBy(() -> Jails.settings(p)).hasMessageStartingWith("jail `web` on h1: image-digest: expected");
  }
}

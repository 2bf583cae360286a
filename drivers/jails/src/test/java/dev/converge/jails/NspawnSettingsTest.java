package dev.converge.jails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The systemd-nspawn settings file a jail with runtime nspawn gets. */
class NspawnSettingsTest {

  private static JailSettings jail(String start, List<Map<String, Object>> mounts) {
    Map<String, Object> p = new HashMap<>();
    p.put("image", "debian");
    p.put("network", Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", "172.16.3.2",
        "prefix", 32L, "gateway", "172.16.3.1"));
    p.put("hostname", "dev.my.domain");
    p.put("runtime", "nspawn");
    p.put("start", start);
    p.put("mounts", mounts);
    return JailSettings.of("dev", Properties.of(p));
  }

  @Test
  void theCommandHostnameAndBinds_areRendered() {
    String text = NspawnSettings.render(jail("exec sleep 1d", List.of(
        Map.of("source", "/home/me/src", "target", "/usr/src", "read-only", false),
        Map.of("source", "/data", "target", "/srv/data", "read-only", true))));

    assertThat(text).isEqualTo("""
        # written by converge for jail dev
        [Exec]
        Boot=no
        Parameters=/bin/sh -c "exec sleep 1d"
        Hostname=dev.my.domain

        [Files]
        Bind=/home/me/src:/usr/src
        BindReadOnly=/data:/srv/data
        """);
    assertThat(NspawnSettings.path("dev")).isEqualTo("/etc/systemd/nspawn/dev.nspawn");
  }

  @Test
  void aCommandWithDoubleQuotes_isSingleQuoted_andOneThatCannotBeQuoted_isRefused() {
    assertThat(NspawnSettings.render(jail("echo \"hi\"", List.of()))).contains("Parameters=/bin/sh -c 'echo \"hi\"'");
    assertThatThrownBy(() -> jail("echo \"it's\"", List.of())).hasMessageContaining("both kinds of quote");
    assertThatThrownBy(() -> jail("printf 'a\\n'", List.of())).hasMessageContaining("backslash or line break");
  }

  @Test
  void whereSystemdIsInit_theStockUnitRunsTheJailConvergeSetUp_registeredWithMachined() {
    String unit = NspawnSettings.unit(jail("exec sleep 1d", List.of()));

    assertThat(unit).isEqualTo("""
        # written by converge for jail dev
        [Unit]
        Description=converge jail dev

        [Service]
        ExecStart=
        ExecStart=systemd-nspawn --quiet --keep-unit --register=yes --machine=dev --settings=trusted \
        --directory=/var/lib/jails/dev/root --network-namespace-path=/run/netns/cj-dev
        Restart=on-failure
        RestartSec=1s
        """);
  }
}

package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JailConfTest {

  @Test
  void aLoopbackJailOwnsItsAliasAndRunsItsStartCommandUnderDaemon() {
    assertThat(JailConf.render(Jails.settings(Jails.web()))).isEqualTo("""
        # Written by converge for jail `web`; converge replaces any change.
        web {
          path = "/usr/local/converge/jails/web/root";
          host.hostname = "web.my.domain";
          ip4.addr = "lo2|172.16.3.2/32";
          mount.devfs;
          devfs_ruleset = 4;
          mount.fstab = "/etc/fstab.web";
          exec.clean;
          persist;
          exec.start = "/usr/sbin/daemon -f -p /var/run/converge-start.pid -o /var/log/converge-start.log /bin/sh -c 'busybox httpd -f -p 80 -h /www'";
        }
        """);
  }

  @Test
  void aJailWithoutStartCommandOnlyPersists() {
    assertThat(JailConf.render(Jails.settings(Jails.minimal())))
        .contains("  persist;\n")
        .doesNotContain("exec.start")
        .doesNotContain("mount.fstab");
  }

  @Test
  void aBridgeJailIsAVnetJailWithAnEpairWhoseAEndJoinsTheBridge() {
    Map<String, Object> p = Jails.minimal();
    p.put("network", Jails.bridgeNetwork());
    p.put("start", "nginx");

    assertThat(JailConf.render(Jails.settings(p))).isEqualTo("""
        # Written by converge for jail `web`; converge replaces any change.
        web {
          path = "/usr/local/converge/jails/web/root";
          host.hostname = "web.my.domain";
          vnet;
          vnet.interface = "epair1287b";
          exec.prestart = "/sbin/ifconfig epair1287 create up";
          exec.prestart += "/sbin/ifconfig bridge0 addm epair1287a up";
          exec.poststop = "/sbin/ifconfig epair1287a destroy";
          mount.devfs;
          devfs_ruleset = 4;
          exec.clean;
          persist;
          exec.start = "/sbin/ifconfig lo0 inet 127.0.0.1/8 up";
          exec.start += "/sbin/ifconfig epair1287b inet 172.16.5.7/24 up";
          exec.start += "/sbin/route add default 172.16.5.1";
          exec.start += "/usr/sbin/daemon -f -p /var/run/converge-start.pid -o /var/log/converge-start.log /bin/sh -c nginx";
        }
        """);
  }

  @Test
  void theEpairUnitIsTheLow15BitsOfTheAddress() {
    assertThat(JailConf.epairUnit("172.16.5.7")).isEqualTo(5 * 256 + 7);
    assertThat(JailConf.epairUnit("10.0.255.255")).isEqualTo(0x7fff);
  }

  @Test
  void mountsAreNullfsLinesBelowTheJailsRoot() {
    assertThat(JailConf.fstab(Jails.settings(Jails.web()))).isEqualTo("""
        /data/www /usr/local/converge/jails/web/root/usr/local/www nullfs ro 0 0
        /data/logs /usr/local/converge/jails/web/root/var/log/web nullfs rw 0 0
        """);
  }

  @Test
  void quotesBackslashesAndDollarsAreEscapedAsJailsLexerReadsThem() {
    assertThat(JailConf.quote("echo \"$HOME\" \\ done")).isEqualTo("\"echo \\\"\\$HOME\\\" \\\\ done\"");
  }

  @Test
  void aStartCommandWithQuotesAndVariablesSurvivesBothShellAndJailConfQuoting() {
    Map<String, Object> p = Jails.minimal();
    p.put("start", "echo \"it's $HOME\"");

    assertThat(JailConf.render(Jails.settings(p))).contains(
        "exec.start = \"/usr/sbin/daemon -f -p /var/run/converge-start.pid -o /var/log/converge-start.log "
            + "/bin/sh -c 'echo \\\"it'\\\\''s \\$HOME\\\"'\";");
  }

  @Test
  void aLineBreakCannotBeQuoted() {
    assertThatThrownBy(() -> JailConf.quote("a\nb")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a\\nb");
  }
}

package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.Command;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import dev.converge.transport.FileCommands;
import dev.converge.transport.JailTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JailTransportJexecTest {

  private static List<String> inside(Command c) {
    List<String> argv = new ArrayList<>(List.of("jexec", "web"));
    argv.addAll(c.argv());
    return argv;
  }

  @Test
  void enteringAJailRunsEveryCommandThroughJexecOnItsHost() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(List.of("jexec", "web", "hostname"), "web.my.domain\n");
    Resource web = Jails.jail("h1", "web", Jails.minimal());

    try (Transport jail = new JailDriver().enter(host.target("h1"), web)) {
      assertThat(jail.exec(Command.of("hostname")).out()).isEqualTo("web.my.domain\n");
      assertThat(jail.describe()).isEqualTo("jail web via scripted");
    }
    host.assertAllAnswered();
  }

  @Test
  void filesAreReadAndWrittenByTheSharedFileCommandsInsideTheJail() throws Exception {
    Duration t = Duration.ofSeconds(60);
    byte[] zone = "$ORIGIN my.domain.\n".getBytes(StandardCharsets.UTF_8);
    FileAttributes mode = FileAttributes.mode(0644);
    ScriptedTransport host = new ScriptedTransport()
        .expect(inside(FileCommands.read("/etc/missing", t)), FileCommands.MISSING, "", "")
        .expect(inside(FileCommands.write("/usr/local/etc/namedb/my.domain", zone, mode, t)), "")
        .expect(inside(FileCommands.write("/nodir/x", zone, mode, t)), 3, "", "directory /nodir does not exist\n");
    Transport jail = new JailTransport(host, "web", "172.16.3.2", command -> Jexec.inside("web", command));

    assertThat(jail.read("/etc/missing")).isEmpty();
    jail.write("/usr/local/etc/namedb/my.domain", zone, mode);
    assertThatThrownBy(() -> jail.write("/nodir/x", zone, mode)).isInstanceOf(TransportException.class)
        .hasMessage("cannot write /nodir/x in jail web via scripted: directory /nodir does not exist");
    assertThat(host.executed().get(1).stdin()).isEqualTo(zone);
  }
}

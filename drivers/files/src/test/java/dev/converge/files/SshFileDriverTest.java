package dev.converge.files;

import dev.converge.driver.Endpoint;
import dev.converge.driver.Transport;
import dev.converge.ssh.SshTransport;
import dev.converge.testing.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same behaviour through SSH to a real OpenSSH sshd on 127.0.0.1 (which sees this machine's files). */
class SshFileDriverTest extends FileDriverBehaviour {

  @RegisterExtension static OpenSshServer sshd = OpenSshServer.create();

  @Override
  protected Transport openTransport() throws Exception {
    Path knownHosts = sshd.writeKnownHosts(Files.createTempFile("known_hosts", ""));
    Endpoint e = Endpoint.ssh("ssh-host", sshd.host(), sshd.port(), sshd.user(), sshd.clientKey(), knownHosts);
    return SshTransport.connect(e, endpoint -> {
      throw new IllegalStateException("no jump host in this test");
    });
  }
}

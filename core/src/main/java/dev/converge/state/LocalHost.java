package dev.converge.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name of the machine this process runs on, for lock holder records. Deliberately not
 * {@code InetAddress.getLocalHost()}: that resolves the name, which may send a DNS query.
 */
final class LocalHost {

  private static final Logger LOG = LoggerFactory.getLogger(LocalHost.class);
  private static final Path LINUX_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private static volatile String name;

  private LocalHost() {}

  static String name() {
    String n = name;
    if (n == null) {
      n = lookUp();
      name = n;
    }
    return n;
  }

  private static String lookUp() {
    try {
      if (Files.isReadable(LINUX_HOSTNAME)) {
        String n = Files.readString(LINUX_HOSTNAME, StandardCharsets.UTF_8).strip();
        if (!n.isEmpty()) {
          return n;
        }
      }
      // FreeBSD has no /proc by default; hostname(1) asks the kernel, never the resolver.
      Process p = new ProcessBuilder("hostname").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
        return out;
      }
    } catch (IOException e) {
      LOG.debug("cannot determine the host name", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown-host";
  }
}

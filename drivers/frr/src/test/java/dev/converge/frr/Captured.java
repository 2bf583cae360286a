package dev.converge.frr;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Output captured from FRR 8.4.4 on this Debian 12 machine, under src/test/resources/captured: three hosts in network
 * namespaces, fx1 - fx2 - fx3 on point-to-point /30s, lo1 /32s, hello 1 / dead 3, MD5 key {@code secret1}.
 */
final class Captured {

  private Captured() {}

  static String read(String name) {
    try (InputStream in = Captured.class.getResourceAsStream("/captured/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no captured output " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the probe script prints on fx2: its running config and ospfd's interfaces, between markers. */
  static String probeOutputOfFx2() {
    return OspfState.RUNNING + "\n" + read("running-config-fx2.txt") + OspfState.INTERFACES + "\n"
        + read("interface-fx2.json");
  }
}

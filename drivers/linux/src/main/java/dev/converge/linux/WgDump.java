package dev.converge.linux;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One WireGuard interface as the probe script prints it: {@code wg show IF dump} (wg(8): a tab-separated interface
 * line {@code private-key public-key listen-port fwmark}, then a line per peer {@code public-key preshared-key
 * endpoint allowed-ips latest-handshake rx tx keepalive}), with the interface line rewritten on the host to
 * {@code interface SHA256-OF-PRIVATE-KEY LISTEN-PORT} so that the key itself never leaves it.
 */
record WgDump(String privateKeyHash, Optional<Long> listenPort, List<Peer> peers) {

  /** A section of the probe's output starts with this and the interface's name. */
  static final String MARK = "--- wg ";

  /** One peer. */
  record Peer(String publicKey, Optional<String> endpoint, List<String> allowedIps) {}

  /**
   * Every WireGuard section of the probe output, by interface; an interface whose section is empty (not WireGuard,
   * or {@code wg} missing) is left out.
   *
   * @throws IllegalStateException for a line that is not in the shape above
   */
  static Map<String, WgDump> parse(String sections) {
    Map<String, WgDump> out = new LinkedHashMap<>();
    String name = null;
    WgDump current = null;
    for (String line : sections.lines().toList()) {
      if (line.startsWith(MARK)) {
        name = line.substring(MARK.length()).strip();
        current = null;
        continue;
      }
      if (line.isBlank() || name == null) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (current == null) {
        if (f.length != 3 || !f[0].equals("interface") || !f[1].matches("[0-9a-f]{64}")) {
          throw new IllegalStateException("wg dump of " + name + ": expected `interface HASH PORT`, found a line of "
              + f.length + " fields");
        }
        current = new WgDump(f[1], f[2].matches("[0-9]+") ? Optional.of(Long.parseLong(f[2])) : Optional.empty(),
            new ArrayList<>());
        out.put(name, current);
      } else {
        if (f.length != 8) {
          throw new IllegalStateException("wg dump of " + name + ": expected a peer line of 8 fields, found "
              + f.length);
        }
        List<String> allowed = f[3].equals("(none)") || f[3].isEmpty() ? List.of()
            : Arrays.stream(f[3].split(",")).map(String::strip).sorted().toList();
        current.peers().add(new Peer(f[0], f[2].equals("(none)") ? Optional.empty() : Optional.of(f[2]), allowed));
      }
    }
    out.replaceAll((k, d) -> new WgDump(d.privateKeyHash(), d.listenPort(), List.copyOf(d.peers())));
    return out;
  }
}

package dev.converge.freebsd.jail;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Jail properties as compile emits them (jails-contract), for the tests. */
final class Jails {

  static final String DIGEST = "sha256:" + "ab12cd34ef56ab78".repeat(4);
  static final String ID = "ab12cd34ef56ab78";

  private Jails() {}

  static Map<String, Object> loopbackNetwork() {
    return Map.of("name", "jails", "kind", "loopback", "interface", "lo2", "address", "172.16.3.2", "prefix", 32,
        "gateway", "172.16.3.1");
  }

  static Map<String, Object> bridgeNetwork() {
    return Map.of("name", "lan", "kind", "bridge", "interface", "bridge0", "address", "172.16.5.7", "prefix", 24,
        "gateway", "172.16.5.1");
  }

  /** The smallest jail: image, network, hostname, running. */
  static Map<String, Object> minimal() {
    Map<String, Object> p = new HashMap<>();
    p.put("image", "freebsd-14");
    p.put("image-digest", DIGEST);
    p.put("network", loopbackNetwork());
    p.put("hostname", "web.my.domain");
    p.put("running", true);
    return p;
  }

  /** A web jail with every field; the user's key text as compile reads it from a key file. */
  static Map<String, Object> web() {
    Map<String, Object> p = minimal();
    p.put("start", "busybox httpd -f -p 80 -h /www");
    p.put("mounts", List.of(Map.of("source", "/data/www", "target", "/usr/local/www", "read-only", true),
        Map.of("source", "/data/logs", "target", "/var/log/web", "read-only", false)));
    p.put("users", Map.of("provision", Map.of("ssh-key", "ssh-ed25519 AAAAC3Nza provision@mgmt\n", "sudo", true)));
    p.put("packages", List.of("busybox"));
    p.put("resolv-conf", "nameserver 172.16.3.3\nsearch my.domain\n");
    return p;
  }

  static Resource jail(String host, String name, Map<String, Object> properties) {
    return Resource.present(ResourceId.of("jail", host, name), Properties.of(properties), Location.unknown());
  }

  static JailSettings settings(Map<String, Object> properties) {
    return JailSettings.of("h1", "web", Properties.of(properties));
  }
}

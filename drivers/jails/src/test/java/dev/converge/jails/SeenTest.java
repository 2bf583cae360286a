package dev.converge.jails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The probe script's output, captured from a lab host running three jails (web1 serving HTTP on a loopback network,
 * ops with a provisioned account and resolv.conf but no start command, bridged on a bridge) and one name without a
 * jail.
 */
class SeenTest {

  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvC1rXsU0yO+4s2gqR4c0rP2qk3b6J3w0s3mPq2cZr1 ops@test";

  @Test
  void everyJail_isParsed_withItsRecordAndLiveFacts() throws IOException {
    Map<String, Seen> seen = Seen.parse(captured("probe-lab.txt"));

    assertThat(seen).containsOnlyKeys("web1", "ops", "bridged", "nosuch");
    assertThat(seen.get("nosuch").present()).isFalse();
    Seen web1 = seen.get("web1");
    assertThat(web1.record().orElseThrow().imageDir()).isEqualTo("/var/lib/converge/images/busybox/5e1f5e1f5e1f5e1f");
    assertThat(web1.markerDigest()).contains("sha256:" + "5e1f".repeat(16));
    assertThat(web1.address()).contains("172.16.3.2/32");
    assertThat(web1.gateway()).contains("172.16.3.1");
    assertThat(web1.pid()).contains(554L);
    assertThat(web1.liveHostname()).contains("web1.my.domain");
    assertThat(web1.mounts()).containsEntry("/var/lib/jails/web1/root", "rw,relatime");
    assertThat(seen.get("ops").running()).isFalse();
    assertThat(seen.get("bridged").address()).contains("172.16.5.2/24");
  }

  @Test
  void theObservation_ofAJailWithAnAccount_hasTheDesiredShape() throws IOException {
    Seen ops = Seen.parse(captured("probe-lab.txt")).get("ops");
    Properties wanted = Properties.of(Map.of("image", "busybox", "hostname", "ops", "running", true,
        "users", Map.of("provision", Map.of("ssh-key", KEY, "sudo", true)),
        "resolv-conf", "nameserver 172.16.3.53\nsearch my.domain\n"));

    Properties observed = Observed.of(ops, Resource.present(ResourceId.of("jail", "h1", "ops"), wanted,
        Location.unknown()));

    assertThat(observed.get("users")).contains(Map.of("provision", Map.of("ssh-key", KEY, "sudo", true)));
    assertThat(observed.get("resolv-conf")).contains("nameserver 172.16.3.53\nsearch my.domain\n");
    assertThat(observed.get("running")).as("no start command: running means the namespace exists")
        .contains(true);
    assertThat(observed.get("network")).contains(Map.of("name", "jails", "kind", "loopback", "interface", "lo2",
        "address", "172.16.3.10", "prefix", 32L, "gateway", "172.16.3.1"));
  }

  @Test
  void aJailWithoutNamespace_showsItInsteadOfAnAddress_andIsNotRunning() {
    String output = "jail\tweb\nrecord\t" + java.util.Base64.getEncoder().encodeToString(
        "{\"image-dir\":\"/x\",\"properties\":{\"start\":\"true\",\"network\":{\"address\":\"10.0.0.2\"}}}"
            .getBytes(StandardCharsets.UTF_8)) + "\n";
    Seen web = Seen.parse(output).get("web");
    Properties observed = Observed.of(web, Resource.present(ResourceId.of("jail", "h1", "web"),
        Properties.of(Map.of("start", "true", "running", true)), Location.unknown()));

    assertThat(observed.get("network")).contains("(no network namespace cj-web with an address)");
    assertThat(observed.get("running")).contains(false);
    assertThat(Optional.ofNullable(observed.asMap().get("image-digest"))).isEmpty();
  }

  @Test
  void outputThatIsNotTheScripts_isRefused() {
    assertThatThrownBy(() -> Seen.parse("hello\n")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before the first jail");
    assertThatThrownBy(() -> Seen.parse("jail\tx\nwhat\tever\n")).hasMessageContaining("unknown line");
  }

  private static String captured(String name) throws IOException {
    try (InputStream in = SeenTest.class.getResourceAsStream("/captured/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

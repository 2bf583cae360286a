package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tunnel:} and {@code port:} on links networks, and the hosts' {@code wireguard:} key pairs. */
class TunnelBinderTest {

  private static final String PUB1 = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
  private static final String PUB2 = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

  @TempDir Path dir;

  private SpecFixture spec(String server2, String network) {
    return new SpecFixture(dir).file("site.yaml", """
        site: test
        secrets: { wg1: { env: WG1 }, wg2: { env: WG2 } }
        hosts:
          server1: { address: 192.0.2.1, wireguard: { private-key: wg1, public-key: "%s" } }
          server2: %s
        networks:
          backbone: %s
        """.formatted(PUB1, server2, network));
  }

  @Test
  void aWireguardNetwork_withPortAndKeyPairs() {
    Spec spec = spec("{ address: 192.0.2.2, wireguard: { private-key: wg2, public-key: \"" + PUB2 + "\" } }",
        "{ kind: links, cidr: 172.16.2.0/24, tunnel: wireguard, port: 51000, links: [[server1, server2]] }").spec();

    Network n = spec.networks().get("backbone");
    assertThat(n.tunnel()).contains(Network.Tunnel.WIREGUARD);
    assertThat(n.port()).isEqualTo(51000);
    assertThat(spec.hosts().get("server2").wireguard()).map(w -> w.privateKey() + " " + w.publicKey())
        .contains("wg2 " + PUB2);
  }

  @Test
  void withoutTunnel_theLinksExistAlready_andThePortIsWireguardsOwn() {
    Network n = spec("{ address: 192.0.2.2 }", "{ kind: links, cidr: 172.16.2.0/24, links: [[server1, server2]] }")
        .spec().networks().get("backbone");
    assertThat(n.tunnel()).isEmpty();
    assertThat(n.port()).isEqualTo(51820);
  }

  @Test
  void aWireguardNetwork_withAHostWithoutKeys_isAnErrorAtTheLink() {
    assertThat(spec("{ address: 192.0.2.2 }",
        "{ kind: links, cidr: 172.16.2.0/24, tunnel: wireguard, links: [[server1, server2]] }").problems())
        .containsExactly("site.yaml:7:76: `links` in network `backbone` (tunnel: wireguard): host `server2` has no"
            + " `wireguard`: expected `wireguard: {private-key: SECRET, public-key: BASE64}` on host `server2` (at"
            + " site.yaml:5:3)");
  }

  @Test
  void aGreNetwork_needsNoKeys_butIpAddressesAsEndpoints() {
    assertThat(spec("{ address: server2.example.net }",
        "{ kind: links, cidr: 172.16.2.0/24, tunnel: gre, links: [[server1, server2]] }").problems())
        .containsExactly("site.yaml:7:70: `links` in network `backbone` (tunnel: gre): host `server2` has address"
            + " `server2.example.net`: expected an IPv4 address as `address`, the tunnel's endpoint (converge builds"
            + " GRE over IPv4)");
    assertThat(spec("{ address: \"2001:db8::2\" }",
        "{ kind: links, cidr: 172.16.2.0/24, tunnel: gre, links: [[server1, server2]] }").problems())
        .singleElement().asString().contains("has address `2001:db8::2`: expected an IPv4 address");
  }

  @Test
  void anUnknownTunnel_suggestsTheNearestOne() {
    assertThat(spec("{ address: 192.0.2.2 }",
        "{ kind: links, cidr: 172.16.2.0/24, tunnel: wireguar, links: [[server1, server2]] }").problems())
        .singleElement().asString().startsWith("site.yaml:7:")
        .contains("found `wireguar`, expected one of wireguard, gre").contains("did you mean");
  }

  @Test
  void aPort_onAGreOrLoopbackNetwork_isAnError() {
    assertThat(spec("{ address: 192.0.2.2 }",
        "{ kind: links, cidr: 172.16.2.0/24, tunnel: gre, port: 4000, links: [[server1, server2]] }").problems())
        .singleElement().asString().contains("expected no `port` in a links network without `tunnel: wireguard`");
    assertThat(spec("{ address: 192.0.2.2 }", "{ kind: loopback, interface: lo2, cidr: 172.16.3.0/24, tunnel: gre }")
        .problems()).singleElement().asString().contains("expected no `tunnel` in a loopback network");
  }

  @Test
  void aPublicKeyThatIsNoCurve25519Key_andAnUnknownWireguardKey_areErrorsAtTheirPlace() {
    assertThat(spec("{ address: 192.0.2.2, wireguard: { private-key: wg2, public-key: abc, pubkey: x } }",
        "{ kind: links, cidr: 172.16.2.0/24, links: [[server1, server2]] }").problems())
        .anySatisfy(p -> assertThat(p).startsWith("site.yaml:5:").contains("found `abc`, expected a WireGuard"
            + " public key"))
        .anySatisfy(p -> assertThat(p).startsWith("site.yaml:5:").contains("unknown key `wireguard.pubkey`")
            .contains("expected one of private-key, public-key"));
  }

  @Test
  void thePrivateKey_mustNameASecret() {
    assertThat(spec("{ address: 192.0.2.2, wireguard: { private-key: nope, public-key: \"" + PUB2 + "\" } }",
        "{ kind: links, cidr: 172.16.2.0/24, links: [[server1, server2]] }").problems())
        .singleElement().asString().startsWith("site.yaml:5:").contains("`nope`");
  }

  @Test
  void aLabHostHasNoWireguard_byDefault() {
    assertThat(Host.local("h").wireguard()).isEqualTo(Optional.empty());
  }
}

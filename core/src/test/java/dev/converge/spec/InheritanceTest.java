package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code defaults} and {@code profiles}: what hosts and jails inherit, in which order, and what is refused. */
class InheritanceTest {

  @TempDir Path dir;

  private SpecFixture spec(String yaml) {
    return new SpecFixture(dir).file("site.yaml", yaml);
  }

  @Test
  void defaults_applyToEveryHost() {
    Spec spec = spec("""
        site: test
        defaults: { os: freebsd, ssh: { user: admin } }
        hosts:
          a: { address: 192.0.2.1 }
          b: { address: 192.0.2.2, os: linux }
        """).spec();
    assertThat(spec.hosts().get("a").os()).isEqualTo("freebsd");
    assertThat(spec.hosts().get("a").ssh().user()).isEqualTo("admin");
    assertThat(spec.hosts().get("b").os()).isEqualTo("linux");
    assertThat(spec.hosts().get("b").ssh().user()).isEqualTo("admin");
  }

  @Test
  void mergeOrder_isDefaultsThenProfileThenTheHost_andMapsMergeDeeply() {
    Host host = spec("""
        site: test
        defaults:
          ssh: { user: admin, port: 2200, host-key-policy: accept-new }
        profiles:
          far: { ssh: { port: 2201, connect-timeout: 20s } }
        hosts:
          a: { address: 192.0.2.1, profile: far, ssh: { connect-timeout: 30s } }
        """).spec().hosts().get("a");
    assertThat(host.ssh().user()).isEqualTo("admin");
    assertThat(host.ssh().port()).isEqualTo(2201);
    assertThat(host.ssh().hostKeyPolicy()).isEqualTo(HostKeyPolicy.ACCEPT_NEW);
    assertThat(host.ssh().connectTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void lists_replaceRatherThanMerge() {
    Spec spec = spec(SpecFixture.BASE + """
        defaults:
          jail: { image: base, network: lan, packages: [a, b] }
        profiles:
          small: { packages: [c] }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks: { lan: { kind: loopback, interface: lo1, cidr: 10.5.0.0/24 } }
        jails:
          j1: { host: server1 }
          j2: { host: server1, profile: small }
          j3: { host: server1, profile: small, packages: [d] }
        """).spec();
    assertThat(spec.jails().get("j1").packages()).containsExactly("a", "b");
    assertThat(spec.jails().get("j2").packages()).containsExactly("c");
    assertThat(spec.jails().get("j3").packages()).containsExactly("d");
  }

  @Test
  void anEmptyValue_removesAnInheritedOne() {
    Spec spec = spec("""
        site: test
        defaults: { resolver: 192.0.2.53 }
        hosts:
          a: { address: 192.0.2.1 }
          b: { address: 192.0.2.2, resolver: ~ }
        """).spec();
    assertThat(spec.hosts().get("a").resolver()).contains("192.0.2.53");
    assertThat(spec.hosts().get("b").resolver()).isEmpty();
  }

  @Test
  void aLocalHost_ignoresTheRemoteKeysOfDefaults() {
    Host mgmt = spec("""
        site: test
        defaults: { address: 192.0.2.1, via: jump, ssh: { port: 2222 } }
        hosts:
          mgmt: { transport: local }
          jump: { via: ~ }
        """).spec().hosts().get("mgmt");
    assertThat(mgmt.address()).isEmpty();
    assertThat(mgmt.via()).isEmpty();
    assertThat(mgmt.ssh()).isEqualTo(Ssh.DEFAULTS);
  }

  @Test
  void anErrorInDefaults_pointsAtTheDefaultsOnce() {
    assertThat(spec("""
        site: test
        defaults:
          ssh: { port: abc }
        hosts:
          a: { address: 192.0.2.1 }
          b: { address: 192.0.2.2 }
        """).problems()).containsExactly(
        "site.yaml:3:16: `ssh.port` in defaults: found `abc`, expected an integer 1-65535");
  }

  @Test
  void unknownKeysInDefaults_areReportedOnce_withTheKeysAHostOrDefaultsCanHave() {
    assertThat(spec("""
        site: test
        defaults: { adress: 192.0.2.1, profile: x, jail: { imge: base } }
        hosts:
          mgmt: { transport: local }
        """).problems()).containsExactly(
        "site.yaml:2:13: unknown key `adress` in defaults: expected one of os, transport, address, ssh, via,"
            + " loopback, resolver, external-interface, routing-daemon, wireguard, hostname, sysctl, repositories, "
            + "packages, users, services, jail — did you mean `address`?",
        "site.yaml:2:32: unknown key `profile` in defaults: expected one of os, transport, address, ssh, via,"
            + " loopback, resolver, external-interface, routing-daemon, wireguard, hostname, sysctl, repositories, "
            + "packages, users, services, jail",
        "site.yaml:2:52: unknown key `jail.imge` in defaults: expected one of host, image, network, address,"
            + " hostname, start, mounts, users, packages, resolver, image-policy, devel, runtime, requires — did you mean"
            + " `image`?");
  }

  @Test
  void anUnknownProfile_isAnErrorWithASuggestion() {
    assertThat(spec("""
        site: test
        profiles: { remote: { os: freebsd } }
        hosts:
          a: { address: 192.0.2.1, profile: remot }
        """).problems()).containsExactly("site.yaml:4:37: `profile` in host `a`: found `remot`, expected a profile"
        + " defined in the spec — did you mean `remote`?");
  }

  @Test
  void aProfileUsedByAHost_mayOnlyHoldHostKeys_checkedAtTheProfile() {
    assertThat(spec("""
        site: test
        profiles:
          mixed: { os: freebsd, image: base }
        hosts:
          a: { address: 192.0.2.1, profile: mixed }
          b: { address: 192.0.2.2, profile: mixed }
        """).problems()).containsExactly("site.yaml:3:25: unknown key `image` in profile `mixed`, which a host"
        + " uses: expected one of os, transport, address, ssh, via, loopback, resolver, external-interface, routing-daemon, wireguard, hostname, sysctl, repositories, "
            + "packages, users, services");
  }

  @Test
  void aProfileUsedByAJail_mayOnlyHoldJailKeys() {
    assertThat(spec(SpecFixture.BASE + """
        profiles:
          p: { os: freebsd, image-policy: pin }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks: { lan: { kind: loopback, interface: lo1, cidr: 10.5.0.0/24 } }
        jails:
          j: { host: server1, image: base, network: lan, profile: p }
        """).problems()).containsExactly("site.yaml:6:8: unknown key `os` in profile `p`, which a jail uses:"
        + " expected one of host, image, network, address, hostname, start, mounts, users, packages, resolver,"
        + " image-policy, devel, runtime, requires");
  }

  @Test
  void anErrorInAProfileValue_pointsAtTheProfile() {
    assertThat(spec("""
        site: test
        profiles:
          far: { ssh: { keep-alive: never } }
        hosts:
          a: { address: 192.0.2.1, profile: far }
        """).problems()).containsExactly("site.yaml:3:29: `ssh.keep-alive` in profile `far`: found `never`, expected"
        + " a duration such as 500ms, 10s, 5m or 1h (or a number of seconds), more than zero");
  }

  @Test
  void jailDefaultsAndProfiles_applyToJails() {
    Jail jail = spec(SpecFixture.BASE + """
        defaults:
          jail: { image: base, network: lan, resolver: 192.0.2.53 }
        profiles:
          pinned: { image-policy: pin }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks: { lan: { kind: loopback, interface: lo1, cidr: 10.5.0.0/24 } }
        jails:
          j: { host: server1, profile: pinned }
        """).spec().jails().get("j");
    assertThat(jail.image()).isEqualTo("base");
    assertThat(jail.network()).isEqualTo("lan");
    assertThat(jail.resolver()).isEqualTo(Optional.of("192.0.2.53"));
    assertThat(jail.imagePolicy()).isEqualTo(Jail.ImagePolicy.PIN);
  }
}

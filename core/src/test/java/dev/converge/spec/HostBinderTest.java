package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hosts:}: every key, its default, and every way a host can be wrong. */
class HostBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String hosts) {
    return new SpecFixture(dir).file("site.yaml", "site: test\nhosts:\n" + hosts.indent(2));
  }

  @Test
  void everyKey_isBound() {
    Host host = spec("""
        jump: { address: jump.example.org }
        server1:
          os: freebsd
          transport: ssh
          address: 192.0.2.10
          ssh:
            user: admin
            port: 2222
            identity: keys/id
            known-hosts: ~/kh
            host-key-policy: accept-new
            connect-timeout: 500ms
            command-timeout: 5m
            keep-alive: 2
          via: jump
          loopback: 10.0.0.1/32
          resolver: 192.0.2.53
          external-interface: vtnet0
          routing-daemon: quagga
        """).spec().hosts().get("server1");
    assertThat(host).isEqualTo(new Host("server1", new Location(dir.resolve("site.yaml"), 4, 3), "freebsd",
        Host.TransportKind.SSH, Optional.of("192.0.2.10"), new Ssh("admin", 2222, Optional.of(dir.resolve("keys/id")),
            Optional.of(Path.of(System.getProperty("user.home"), "kh")), HostKeyPolicy.ACCEPT_NEW,
            Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofSeconds(2)),
        Optional.of("jump"), Optional.of(Cidr.parse("10.0.0.1/32")), Optional.of("192.0.2.53"),
        Optional.of("vtnet0"), "quagga", HostBasics.NONE, Optional.empty()));
  }

  @Test
  void hostBasics_areBound() {
    Host host = spec("""
        server1:
          address: 192.0.2.10
          hostname: server1.example.org
          sysctl: { net.ipv4.ip_forward: 1, kern.ipc.somaxconn: "4096" }
          repositories: { local: "deb [trusted=yes] file:/srv/repo ./" }
          packages: [frr, sudo]
          users:
            provision: { ssh-key: keys/provision.pub, sudo: true }
            devel: { uid: 4242, gid: 4242, groups: [wheel], shell: /bin/sh }
            app: ~
          services:
            frr: { enabled: true, running: true }
            cron: { running: false }
            ssh: ~
        """).spec().hosts().get("server1");
    HostBasics b = host.basics();
    assertThat(b.hostname()).contains("server1.example.org");
    assertThat(b.sysctl()).containsExactly(java.util.Map.entry("kern.ipc.somaxconn", "4096"),
        java.util.Map.entry("net.ipv4.ip_forward", "1"));
    assertThat(b.repositories()).containsEntry("local", "deb [trusted=yes] file:/srv/repo ./");
    assertThat(b.packages()).containsExactly("frr", "sudo");
    assertThat(b.users().get("provision").sshKey()).contains(dir.resolve("keys/provision.pub"));
    assertThat(b.users().get("provision").sudo()).isTrue();
    assertThat(b.users().get("devel")).isEqualTo(new User("devel", Optional.empty(), false, Optional.of(4242),
        Optional.of(4242), java.util.List.of("wheel"), Optional.of("/bin/sh")));
    assertThat(b.users().get("app")).isEqualTo(User.named("app"));
    assertThat(b.services().values()).containsExactly(new HostBasics.Service("cron", true, false),
        new HostBasics.Service("frr", true, true), new HostBasics.Service("ssh", true, true));
  }

  @Test
  void badHostBasics_areErrorsWithTheirLocations() {
    assertThat(spec("""
        a:
          address: 192.0.2.1
          sysctl: { "-w": 1, net.core.x: "a\\nb" }
          packages: [-oDir=/tmp]
          users: { Root: {}, ok: { shell: bin/sh } }
          services: { "-x": ~, frr: { running: maybe } }
        """).problems()).containsExactly(
        "site.yaml:5:15: `sysctl.-w` in host `a`: found `-w`, expected a sysctl name such as net.ipv4.ip_forward:"
            + " letters, digits and `._-`, starting with a letter",
        "site.yaml:5:36: `sysctl.net.core.x` in host `a`: found `a\\nb`, expected text on one line",
        "site.yaml:6:16: `packages[0]` in host `a`: found `-oDir=/tmp`, expected a package name: letters, digits"
            + " and `._+:@/-`, starting with a letter or digit",
        "site.yaml:7:14: `users.Root` in host `a`: user name: found `Root`, expected a user name: lower-case"
            + " letters, digits, `_` and `-`, starting with a letter or `_` (at most 32 characters)",
        "site.yaml:7:37: `users.ok.shell` in host `a`: found `bin/sh`, expected an absolute, normalised path"
            + " (starting with `/`, without `.` or `..` segments, `//` or a trailing `/`)",
        "site.yaml:8:17: `services.-x` in host `a`: service name: found `-x`, expected a service name: letters,"
            + " digits and `._@-`, starting with a letter or digit",
        "site.yaml:8:42: `services.frr.running` in host `a`: found `maybe`, expected true or false");
  }

  @Test
  void aMinimalSshHost_getsTheDefaults() {
    Host host = spec("server1: { address: 192.0.2.10 }").spec().hosts().get("server1");
    assertThat(host.os()).isEqualTo("linux");
    assertThat(host.transport()).isEqualTo(Host.TransportKind.SSH);
    assertThat(host.ssh()).isEqualTo(Ssh.DEFAULTS);
    assertThat(host.via()).isEmpty();
    assertThat(host.loopback()).isEmpty();
    assertThat(host.routingDaemon()).isEqualTo("frr");
  }

  @Test
  void addresses_areCanonicalIpLiteralsOrDnsNames() {
    Spec spec = spec("""
        a: { address: "2001:DB8:0:0::1" }
        b: { address: server-b.example.org. }
        """).spec();
    assertThat(spec.hosts().get("a").address()).contains("2001:db8::1");
    assertThat(spec.hosts().get("b").address()).contains("server-b.example.org");
  }

  @Test
  void anAddressThatIsNeitherIpNorName_isAnError() {
    assertThat(spec("""
        a: { address: 198.51.100.300 }
        b: { address: "-bad.example.org" }
        """).problems()).containsExactly(
        "site.yaml:3:17: `address` in host `a`: found `198.51.100.300`, expected an IP address or a DNS name",
        "site.yaml:4:17: `address` in host `b`: found `-bad.example.org`, expected an IP address or a DNS name");
  }

  @Test
  void badEnumValues_listWhatIsAllowed() {
    assertThat(spec("""
        a: { address: 192.0.2.1, os: debian, transport: sh, ssh: { host-key-policy: accept } }
        """).problems()).containsExactly(
        "site.yaml:3:32: `os` in host `a`: found `debian`, expected one of linux, freebsd",
        "site.yaml:3:51: `transport` in host `a`: found `sh`, expected one of local, ssh — did you mean `ssh`?",
        "site.yaml:3:79: `ssh.host-key-policy` in host `a`: found `accept`, expected one of strict, accept-new"
            + " — did you mean `accept-new`?");
  }

  @Test
  void anSshHost_needsAnAddress() {
    assertThat(spec("a: { os: linux }").problems()).containsExactly(
        "site.yaml:3:3: missing key `address` in host `a`: expected an IP address or a DNS name");
  }

  @Test
  void aLocalHost_hasNoAddressSshOrVia() {
    assertThat(spec("""
        mgmt: { transport: local, address: 192.0.2.1, ssh: { port: 22 }, via: b }
        b: { address: 192.0.2.2 }
        """).problems()).containsExactly(
        "site.yaml:3:38: `address` in host `mgmt`: found `192.0.2.1`, expected no `address` on a local host"
            + " (transport: local)",
        "site.yaml:3:54: `ssh` in host `mgmt`: found a map, expected no `ssh` on a local host (transport: local)",
        "site.yaml:3:73: `via` in host `mgmt`: found `b`, expected no `via` on a local host (transport: local)");
  }

  @Test
  void atMostOneLocalHost() {
    assertThat(spec("""
        mgmt: { transport: local }
        other: { transport: local }
        """).problems()).containsExactly("site.yaml:4:23: `transport` in host `other`: found a second local host"
        + " (`mgmt` is local, at site.yaml:3:22): expected at most one host with transport: local");
  }

  @Test
  void sshSettings_areCheckedOneByOne() {
    assertThat(spec("""
        a:
          address: 192.0.2.1
          ssh: { user: Root, port: 70000, connect-timeout: 0s, command-timeout: 1d, keep-alive: [5] }
        """).problems()).containsExactly(
        "site.yaml:5:18: `ssh.user` in host `a`: found `Root`, expected a user name: lower-case letters, digits,"
            + " `_` and `-`, starting with a letter or `_` (at most 32 characters)",
        "site.yaml:5:30: `ssh.port` in host `a`: found `70000`, expected an integer 1-65535",
        "site.yaml:5:54: `ssh.connect-timeout` in host `a`: found `0s`, expected a duration such as 500ms, 10s,"
            + " 5m or 1h (or a number of seconds), more than zero",
        "site.yaml:5:75: `ssh.command-timeout` in host `a`: found `1d`, expected a duration such as 500ms, 10s,"
            + " 5m or 1h (or a number of seconds), more than zero",
        "site.yaml:5:91: `ssh.keep-alive` in host `a`: found a list, expected a duration such as 500ms, 10s, 5m"
            + " or 1h (or a number of seconds), more than zero");
  }

  @Test
  void via_mustNameAnotherSshHost() {
    assertThat(spec("""
        mgmt: { transport: local }
        a: { address: 192.0.2.1, via: a }
        b: { address: 192.0.2.2, via: mgmt }
        c: { address: 192.0.2.3, via: jumpp }
        jump: { address: 192.0.2.4 }
        """).problems()).containsExactly(
        "site.yaml:4:33: `via` in host `a`: found `a`, which is this host itself: expected another SSH host to"
            + " jump through",
        "site.yaml:5:33: `via` in host `b`: found `mgmt`, a local host: expected an SSH host to jump through",
        "site.yaml:6:33: `via` in host `c`: found `jumpp`, expected a host defined in the spec — did you mean"
            + " `jump`?");
  }

  @Test
  void via_mayNotFormACycle() {
    assertThat(spec("""
        a: { address: 192.0.2.1, via: b }
        b: { address: 192.0.2.2, via: c }
        c: { address: 192.0.2.3, via: a }
        """).problems()).containsExactly(
        "site.yaml:3:33: `via` in host `a`: found a jump-host cycle a → b → c → a: expected a chain of `via` that"
            + " ends at a host reached directly",
        "site.yaml:4:33: `via` in host `b`: found a jump-host cycle b → c → a → b: expected a chain of `via` that"
            + " ends at a host reached directly",
        "site.yaml:5:33: `via` in host `c`: found a jump-host cycle c → a → b → c: expected a chain of `via` that"
            + " ends at a host reached directly");
  }

  @Test
  void loopback_isASingleAddress() {
    assertThat(spec("""
        a: { address: 192.0.2.1, loopback: 10.0.0.1/24 }
        b: { address: 192.0.2.2, loopback: 10.0.0.2 }
        c: { address: 192.0.2.3, loopback: "2001:db8::3/128" }
        """).problems()).containsExactly("site.yaml:3:38: `loopback` in host `a`: found `10.0.0.1/24`, expected a"
        + " single address such as 10.0.0.1/32 (or /128 for IPv6)");
  }

  @Test
  void resolver_isAHostAJailOrAnAddress() {
    assertThat(spec("""
        a: { address: 192.0.2.1, resolver: a }
        b: { address: 192.0.2.2, resolver: "2001:db8::53" }
        c: { address: 192.0.2.3, resolver: bb }
        """).problems()).containsExactly("site.yaml:5:38: `resolver` in host `c`: found `bb`, expected a host or"
        + " jail defined in the spec, or an IP address — did you mean `b`?");
  }

  @Test
  void externalInterface_isAnInterfaceName() {
    assertThat(spec("a: { address: 192.0.2.1, external-interface: averyveryverylongname }").problems())
        .containsExactly("site.yaml:3:48: `external-interface` in host `a`: found `averyveryverylongname`,"
            + " expected an interface name: a letter, then letters, digits, `_`, `.` or `-` (at most 15"
            + " characters)");
  }

  @Test
  void routingDaemon_isFrrOrQuagga() {
    assertThat(spec("a: { address: 192.0.2.1, os: freebsd, routing-daemon: bird }").problems())
        .containsExactly("site.yaml:3:57: `routing-daemon` in host `a`: found `bird`, expected one of frr, quagga");
  }

  @Test
  void quagga_runsOnFreeBsdHostsOnly() {
    assertThat(spec("a: { address: 192.0.2.1, routing-daemon: quagga }").problems())
        .containsExactly("site.yaml:3:44: `routing-daemon` in host `a`: found `quagga` on a host with os: linux,"
            + " expected `frr` (converge runs Quagga from the FreeBSD port only)");
  }

  @Test
  void routingDaemon_mayComeFromDefaultsOrAProfile() {
    Spec spec = new SpecFixture(dir).file("site.yaml", """
        site: test
        defaults: { os: freebsd, routing-daemon: quagga }
        profiles:
          modern: { routing-daemon: frr }
        hosts:
          a: { address: 192.0.2.1 }
          b: { address: 192.0.2.2, profile: modern }
        """).spec();
    assertThat(spec.hosts().get("a").routingDaemon()).isEqualTo("quagga");
    assertThat(spec.hosts().get("b").routingDaemon()).isEqualTo("frr");
  }

  @Test
  void aHostThatIsNotAMap_isAnError() {
    assertThat(spec("a: 192.0.2.1").problems()).containsExactly("site.yaml:3:6: host `a`: found `192.0.2.1`,"
        + " expected a map with keys os, transport, address, ssh, via, loopback, resolver, external-interface,"
        + " routing-daemon, wireguard, hostname, sysctl, repositories, packages, users, services, profile");
  }
}

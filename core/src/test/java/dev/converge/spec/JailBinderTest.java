package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jails:}: every key, its default, and every way a jail can be wrong. */
class JailBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String jails) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + """
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks:
          jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24 }
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[mgmt, server1]] }
        zones: {}
        jails:
        """ + jails.indent(2));
  }

  @Test
  void everyKey_isBound() {
    Jail jail = spec("""
        web:
          host: server1
          image: base
          network: jails
          address: 172.16.3.10
          hostname: web.example.org
          start: /usr/local/sbin/nginx -g 'daemon off;'
          mounts:
            - { source: /data/www, target: /usr/local/www, read-only: true }
          users:
            provision: { ssh-key: keys/provision.pub, sudo: true, uid: 1001, gid: 1001 }
            app:
          packages: [nginx, py311-certbot]
          resolver: 192.0.2.53
          image-policy: pin
          devel: { source: src, user: dev }
          requires: [host/server1]
        """).spec().jails().get("web");
    assertThat(jail.host()).isEqualTo("server1");
    assertThat(jail.image()).isEqualTo("base");
    assertThat(jail.network()).isEqualTo("jails");
    assertThat(jail.address()).contains(InetAddresses.forString("172.16.3.10"));
    assertThat(jail.hostname()).contains("web.example.org");
    assertThat(jail.start()).contains("/usr/local/sbin/nginx -g 'daemon off;'");
    assertThat(jail.mounts()).containsExactly(new Jail.Mount("/data/www", "/usr/local/www", true));
    assertThat(jail.users()).isEqualTo(Map.of(
        "app", User.named("app"),
        "provision", new User("provision", Optional.of(dir.resolve("keys/provision.pub")), true,
            Optional.of(1001), Optional.of(1001), java.util.List.of(), Optional.empty())));
    assertThat(jail.packages()).containsExactly("nginx", "py311-certbot");
    assertThat(jail.resolver()).contains("192.0.2.53");
    assertThat(jail.imagePolicy()).isEqualTo(Jail.ImagePolicy.PIN);
    assertThat(jail.devel()).contains(new Jail.Devel(dir.resolve("src"), "dev"));
    assertThat(jail.requires()).extracting(Reference::toString).containsExactly("host/server1");
  }

  @Test
  void aMinimalJail_getsTheDefaults() {
    Jail jail = spec("web: { host: server1, image: base, network: jails }").spec().jails().get("web");
    assertThat(jail.autoAddress()).isTrue();
    assertThat(jail.imagePolicy()).isEqualTo(Jail.ImagePolicy.FOLLOW);
    assertThat(jail.users()).isEmpty();
    assertThat(jail.mounts()).isEmpty();
    assertThat(jail.devel()).isEmpty();
    assertThat(spec("web: { host: server1, image: base, network: jails, address: auto }").spec().jails()
        .get("web").autoAddress()).isTrue();
  }

  @Test
  void hostImageAndNetwork_areRequiredReferences() {
    assertThat(spec("""
        a: { start: x }
        b: { host: server2, image: bsae, network: jail }
        """).problems()).containsExactly(
        "site.yaml:11:3: missing key `host` in jail `a`: expected a host defined in the spec",
        "site.yaml:11:3: missing key `image` in jail `a`: expected an image defined in the spec",
        "site.yaml:11:3: missing key `network` in jail `a`: expected a network defined in the spec",
        "site.yaml:12:14: `host` in jail `b`: found `server2`, expected a host defined in the spec — did you"
            + " mean `server1`?",
        "site.yaml:12:30: `image` in jail `b`: found `bsae`, expected an image defined in the spec — did you mean"
            + " `base`?",
        "site.yaml:12:45: `network` in jail `b`: found `jail`, expected a network defined in the spec — did you"
            + " mean `jails`?");
  }

  @Test
  void theNetwork_isALoopbackOrBridge() {
    assertThat(spec("a: { host: server1, image: base, network: backbone }").problems()).containsExactly(
        "site.yaml:11:45: `network` in jail `a`: found `backbone`, a links network: expected a loopback or bridge"
            + " network");
  }

  @Test
  void aFixedAddress_liesInsideTheNetwork() {
    assertThat(spec("""
        a: { host: server1, image: base, network: jails, address: 10.9.9.9 }
        b: { host: server1, image: base, network: jails, address: dhcp }
        """).problems()).containsExactly(
        "site.yaml:11:61: `address` in jail `a`: found `10.9.9.9`, expected an address inside 172.16.3.0/24"
            + " (network `jails`), or `auto`",
        "site.yaml:12:61: `address` in jail `b`: found `dhcp`, expected an IP address or `auto`");
  }

  @Test
  void mountPaths_areAbsoluteAndNormalised() {
    assertThat(spec("""
        a:
          host: server1
          image: base
          network: jails
          mounts:
            - { source: data, target: /data }
            - { source: /srv/../etc, target: /x/ }
            - { source: /srv//x }
        """).problems()).containsExactly(
        "site.yaml:16:19: `mounts[0].source` in jail `a`: found `data`, expected an absolute, normalised path"
            + " (starting with `/`, without `.` or `..` segments, `//` or a trailing `/`)",
        "site.yaml:17:19: `mounts[1].source` in jail `a`: found `/srv/../etc`, expected an absolute, normalised"
            + " path (starting with `/`, without `.` or `..` segments, `//` or a trailing `/`)",
        "site.yaml:17:40: `mounts[1].target` in jail `a`: found `/x/`, expected an absolute, normalised path"
            + " (starting with `/`, without `.` or `..` segments, `//` or a trailing `/`)",
        "site.yaml:18:9: missing key `mounts[2].target` in jail `a`: expected an absolute, normalised path"
            + " (starting with `/`, without `.` or `..` segments, `//` or a trailing `/`)",
        "site.yaml:18:19: `mounts[2].source` in jail `a`: found `/srv//x`, expected an absolute, normalised path"
            + " (starting with `/`, without `.` or `..` segments, `//` or a trailing `/`)");
  }

  @Test
  void users_haveSafeNamesAndValidSettings() {
    assertThat(spec("""
        a:
          host: server1
          image: base
          network: jails
          users:
            Admin: { sudo: true }
            ops: { sudo: maybe, uid: -1, home: /home/ops }
        """).problems()).containsExactly(
        "site.yaml:16:7: `users.Admin` in jail `a`: user name: found `Admin`, expected a user name: lower-case"
            + " letters, digits, `_` and `-`, starting with a letter or `_` (at most 32 characters)",
        "site.yaml:17:20: `users.ops.sudo` in jail `a`: found `maybe`, expected true or false",
        "site.yaml:17:32: `users.ops.uid` in jail `a`: found `-1`, expected an integer 0-2147483647",
        "site.yaml:17:36: unknown key `users.ops.home` in jail `a`: expected one of ssh-key, sudo, uid, gid, groups,"
            + " shell");
  }

  @Test
  void packages_cannotLookLikeOptions() {
    assertThat(spec("a: { host: server1, image: base, network: jails, packages: [nginx, -f, \"\"] }").problems())
        .containsExactly(
            "site.yaml:11:70: `packages[1]` in jail `a`: found `-f`, expected a package name: letters, digits and"
                + " `._+:@/-`, starting with a letter or digit",
            "site.yaml:11:74: `packages[2]` in jail `a`: found ``, expected a package name: letters, digits and"
                + " `._+:@/-`, starting with a letter or digit");
  }

  @Test
  void imagePolicy_isFollowOrPin() {
    assertThat(spec("a: { host: server1, image: base, network: jails, image-policy: latest }").problems())
        .containsExactly("site.yaml:11:66: `image-policy` in jail `a`: found `latest`, expected one of follow,"
            + " pin");
  }

  @Test
  void devel_needsASource() {
    assertThat(spec("a: { host: server1, image: base, network: jails, devel: { user: me } }").problems())
        .containsExactly("site.yaml:11:59: missing key `devel.source` in jail `a`: expected the directory to mount"
            + " at /usr/src, relative to the spec file");
    assertThat(spec("a: { host: server1, image: base, network: jails, devel: { source: . } }").spec().jails()
        .get("a").devel()).contains(new Jail.Devel(dir, "devel"));
  }

  @Test
  void hostname_isADnsName() {
    assertThat(spec("a: { host: server1, image: base, network: jails, hostname: \"web server\" }").problems())
        .containsExactly("site.yaml:11:62: `hostname` in jail `a`: found `web server`, expected a DNS name: labels"
            + " of letters, digits, `_` and `-` separated by dots (at most 63 characters each, 253 in all)");
  }

  @Test
  void resolver_mayBeAJail() {
    assertThat(spec("""
        dns: { host: server1, image: base, network: jails }
        web: { host: server1, image: base, network: jails, resolver: dns }
        """).spec().jails().get("web").resolver()).isEqualTo(Optional.of("dns"));
  }
}

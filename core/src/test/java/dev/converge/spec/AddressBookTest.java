package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An address given twice anywhere in the spec is an error at the later use, naming the first. */
class AddressBookTest {

  @TempDir Path dir;

  @Test
  void duplicateAddresses_acrossHostsLoopbacksNetworksAndJails_nameBothPlaces() {
    assertThat(new SpecFixture(dir).file("site.yaml", """
        site: test
        hosts:
          a: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
          b: { address: 192.0.2.1, loopback: 10.0.0.1/32 }
          c: { address: c.example.org }
          d: { address: c.example.org }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks:
          jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24, addresses: { a: [172.16.3.1] } }
        jails:
          j1: { host: a, image: base, network: jails, address: 172.16.3.1 }
          j2: { host: b, image: base, network: jails, address: 172.16.3.2 }
          j3: { host: b, image: base, network: jails, address: 172.16.3.2 }
        """).problems()).containsExactly(
        "site.yaml:4:17: address 192.0.2.1 of host `b` is already used by host `a` at site.yaml:3:17: expected each"
            + " address once",
        "site.yaml:4:38: address 10.0.0.1 of host `b` (loopback) is already used by host `a` (loopback) at"
            + " site.yaml:3:38: expected each address once",
        "site.yaml:11:56: address 172.16.3.1 of jail `j1` is already used by network `jails` (host `a`) at"
            + " site.yaml:9:82: expected each address once",
        "site.yaml:13:56: address 172.16.3.2 of jail `j3` is already used by jail `j2` at site.yaml:12:56: expected"
            + " each address once");
  }

  @Test
  void aLaterFileNamesTheEarlierOne() {
    assertThat(new SpecFixture(dir)
        .file("site.yaml", SpecFixture.BASE + "include: [more.yaml]\n")
        .file("more.yaml", "hosts:\n  server2: { address: 192.0.2.1 }\n")
        .problems()).containsExactly("more.yaml:2:23: address 192.0.2.1 of host `server2` is already used by host"
        + " `server1` at site.yaml:4:23: expected each address once");
  }
}

package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code requires:}: the forms of reference, and that each names something the spec defines. */
class RequirementsTest {

  @TempDir Path dir;

  private SpecFixture spec(String requires) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + """
        secrets: { k: { env: K } }
        images: { base: { freebsd-release: { version: 14.3-RELEASE } } }
        networks: { lan: { kind: loopback, interface: lo1, cidr: 10.5.0.0/24 } }
        zones: { my.domain: { server: 192.0.2.53, key: k } }
        jails: { dns: { host: server1, image: base, network: lan } }
        files:
          - { host: server1, path: /etc/a, content: a }
        resources:
          - { kind: sysctl, host: server1, name: "kern.maxfiles" }
          - kind: sysctl
            host: server1
            name: x
            requires:
        """ + requires.indent(6));
  }

  @Test
  void everyFormOfReference_resolves() {
    GenericResource r = spec("""
        - host/server1
        - jail/dns
        - network/lan
        - zone/My.Domain.
        - image/base
        - file/server1:/etc/a
        - sysctl/server1:kern.maxfiles
        """).spec().resources().get(1);
    assertThat(r.requires()).extracting(Reference::kind, Reference::name).containsExactly(
        org.assertj.core.groups.Tuple.tuple("host", "server1"),
        org.assertj.core.groups.Tuple.tuple("jail", "dns"),
        org.assertj.core.groups.Tuple.tuple("network", "lan"),
        org.assertj.core.groups.Tuple.tuple("zone", "My.Domain."),
        org.assertj.core.groups.Tuple.tuple("image", "base"),
        org.assertj.core.groups.Tuple.tuple("file", "server1:/etc/a"),
        org.assertj.core.groups.Tuple.tuple("sysctl", "server1:kern.maxfiles"));
    assertThat(r.requires().get(0).location()).isEqualTo(new Location(dir.resolve("site.yaml"), 18, 9));
  }

  @Test
  void undefinedTargets_areErrorsWithSuggestions() {
    assertThat(spec("""
        - jail/dsn
        - host/nowhere
        - file/server1:/etc/b
        - sysctl/server1:kern.maxfile
        - zone/other.domain
        """).problems()).containsExactly(
        "site.yaml:18:9: `requires[0]` in resource `x`: found `jail/dsn`, expected a jail defined in the spec —"
            + " did you mean `dns`?",
        "site.yaml:19:9: `requires[1]` in resource `x`: found `host/nowhere`, expected a host defined in the spec",
        "site.yaml:20:9: `requires[2]` in resource `x`: found `file/server1:/etc/b`, expected a file defined in the"
            + " spec (file/HOST:PATH) — did you mean `server1:/etc/a`?",
        "site.yaml:21:9: `requires[3]` in resource `x`: found `sysctl/server1:kern.maxfile`, expected a resource"
            + " defined in the spec (KIND/HOST:NAME) — did you mean `sysctl/server1:kern.maxfiles`?",
        "site.yaml:22:9: `requires[4]` in resource `x`: found `zone/other.domain`, expected a zone defined in the"
            + " spec");
  }

  @Test
  void malformedReferences_sayWhatFormsThereAre() {
    assertThat(spec("""
        - dns
        - sysctl/server1
        - [jail, dns]
        """).problems()).containsExactly(
        "site.yaml:18:9: `requires[0]` in resource `x`: found `dns`, expected a reference such as host/NAME,"
            + " jail/NAME, network/NAME, zone/NAME, image/NAME, file/HOST:PATH or KIND/HOST:NAME",
        "site.yaml:19:9: `requires[1]` in resource `x`: found `sysctl/server1`, expected a reference such as"
            + " host/NAME, jail/NAME, network/NAME, zone/NAME, image/NAME, file/HOST:PATH or KIND/HOST:NAME",
        "site.yaml:20:9: `requires[2]` in resource `x`: found a list, expected a reference such as host/NAME,"
            + " jail/NAME, network/NAME, zone/NAME, image/NAME, file/HOST:PATH or KIND/HOST:NAME");
  }
}

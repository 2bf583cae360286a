package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resources:}: resources of kinds that drivers bring, with free-form properties. */
class ResourceBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String resources) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "resources:\n" + resources.indent(2));
  }

  @Test
  void properties_becomeCanonicalValues() {
    GenericResource r = spec("""
        - kind: sysctl
          host: server1
          name: net.inet.ip.forwarding
          properties:
            value: 1
            big: 123456789012345678901234
            octal: 0644
            enabled: true
            quoted: "true"
            ratio: 1.5
            list: [a, 2, false]
            nested: { z: 1, a: { b: c } }
          requires: [host/server1]
        """).spec().resources().get(0);
    assertThat(r.kind()).isEqualTo("sysctl");
    assertThat(r.host()).isEqualTo("server1");
    assertThat(r.name()).isEqualTo("net.inet.ip.forwarding");
    assertThat(r.absent()).isFalse();
    assertThat(r.properties()).containsExactly(
        Map.entry("big", "123456789012345678901234"),
        Map.entry("enabled", true),
        Map.entry("list", List.of("a", 2L, false)),
        Map.entry("nested", Map.of("a", Map.of("b", "c"), "z", 1L)),
        Map.entry("octal", "0644"),
        Map.entry("quoted", "true"),
        Map.entry("ratio", "1.5"),
        Map.entry("value", 1L));
    assertThat(r.requires()).extracting(Reference::toString).containsExactly("host/server1");
  }

  @Test
  void kindHostAndName_areRequired() {
    assertThat(spec("- { properties: {} }").problems()).containsExactly(
        "site.yaml:6:5: missing key `host` in resource entry: expected a host defined in the spec",
        "site.yaml:6:5: missing key `kind` in resource entry: expected a resource kind such as ospf-router",
        "site.yaml:6:5: missing key `name` in resource entry: expected a name without control characters");
  }

  @Test
  void kinds_mustBeKnownWhenDriversAreGiven() {
    assertThat(spec("""
        - { kind: ospf-ruter, host: server1, name: a }
        - { kind: Ospf, host: server1, name: b }
        - { kind: file, host: server1, name: /etc/x }
        """).knownKinds("ospf-router", "sysctl").problems()).containsExactly(
        "site.yaml:6:13: `kind` in resource `a`: found `ospf-ruter`, expected a kind that a driver provides: one of"
            + " ospf-router, sysctl — did you mean `ospf-router`?",
        "site.yaml:7:13: `kind` in resource `b`: found `Ospf`, expected a kind that a driver provides: one of"
            + " ospf-router, sysctl",
        "site.yaml:8:13: `kind` in resource `/etc/x`: found `file`, a built-in kind: expected its own section"
            + " (`files:`) instead of `resources:`");
  }

  @Test
  void anyWellFormedKind_isAcceptedWhenNoDriversAreGiven() {
    assertThat(spec("- { kind: my-thing, host: server1, name: x }").spec().resources()).hasSize(1);
  }

  @Test
  void emptyPropertyValues_andDuplicates_areErrors() {
    assertThat(spec("""
        - { kind: sysctl, host: server1, name: a, properties: { v: ~, w: [1, ~] } }
        - { kind: sysctl, host: server1, name: a, state: absent }
        """).problems()).containsExactly(
        "site.yaml:6:62: `properties.v` in resource `a`: found an empty value, expected a string, number, boolean,"
            + " list or map (leave the property out to not set it)",
        "site.yaml:6:72: `properties.w[1]` in resource `a`: found an empty value, expected a string, number,"
            + " boolean, list or map (leave the property out to not set it)",
        "site.yaml:7:42: duplicate resource `sysctl/server1:a`: already defined at site.yaml:6:5");
  }
}

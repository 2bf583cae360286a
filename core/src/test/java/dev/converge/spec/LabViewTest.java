package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code lab} section: what the lab runs in place of what its Linux hosts cannot, merged over the spec when it
 * is loaded for the lab, checked either way.
 */
class LabViewTest {

  private static final String SITE = """
      site: test
      defaults:
        jail: { image: release, network: jails, packages: [ca_root_nss] }
      images:
        release: { freebsd-release: { version: 14.3-RELEASE } }
      hosts:
        server1: { address: 192.0.2.1, os: freebsd }
      networks:
        jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24 }
      jails:
        web: { host: server1, address: 172.16.3.2, start: /usr/local/sbin/nginx, packages: [nginx] }
        dhcp: { host: server1, address: 172.16.3.3 }
      lab:
        images:
          release:
            freebsd-release: ~
            debootstrap: { suite: bookworm, packages: [nginx-light] }
        defaults:
          jail: { packages: ~ }
        jails:
          web: { start: "exec nginx -g 'daemon off;'", packages: ~ }
          dhcp: ~
      """;

  @TempDir Path dir;

  private SpecFixture spec(String yaml, boolean lab) {
    return new SpecFixture(dir).file("site.yaml", yaml).loader(SpecLoader.builder().lab(lab));
  }

  @Test
  void outsideTheLab_theLabSectionChangesNothing() {
    Spec spec = spec(SITE, false).spec();

    assertThat(spec.images().get("release").source()).isInstanceOf(Image.FreebsdRelease.class);
    assertThat(spec.jails()).containsOnlyKeys("web", "dhcp");
    assertThat(spec.jails().get("web").start()).contains("/usr/local/sbin/nginx");
    assertThat(spec.jails().get("web").packages()).containsExactly("nginx");
  }

  @Test
  void inTheLab_itMergesOverTheSpec_keyByKey_andAnEmptyValueRemoves() {
    Spec spec = spec(SITE, true).spec();

    assertThat(spec.images().get("release").source())
        .isEqualTo(new Image.Debootstrap("bookworm", "minbase", java.util.Optional.empty(), java.util.List.of(
            "nginx-light")));
    assertThat(spec.jails()).as("`dhcp: ~` drops the jail").containsOnlyKeys("web");
    assertThat(spec.jails().get("web").start()).contains("exec nginx -g 'daemon off;'");
    assertThat(spec.jails().get("web").packages()).as("neither its own nor the defaults' packages").isEmpty();
    assertThat(spec.jails().get("web").address()).as("what the lab leaves alone stays")
        .map(Object::toString).contains("/172.16.3.2");
  }

  @Test
  void anErrorTheLabSectionMakes_isReportedOutsideTheLabToo_atTheLabText() {
    String broken = SITE.replace("web: { start: \"exec nginx -g 'daemon off;'\", packages: ~ }",
        "web: { strat: nginx }");

    assertThat(spec(broken, false).problems()).containsExactly("site.yaml:21:12: unknown key `strat` in jail"
        + " `web`: expected one of host, image, network, address, hostname, start, mounts, users, packages,"
        + " resolver, image-policy, devel, runtime, requires, profile — did you mean `start`?");
  }

  @Test
  void theLabSection_changesOnlyDefaultsAndNamedEntities_andOnlyInTheRootFile() {
    SpecFixture fixture = spec(SpecFixture.BASE + "lab: { site: other, files: [] }\ninclude: [more.yaml]\n", false)
        .file("more.yaml", "lab: { hosts: {} }\n");

    assertThat(fixture.problems()).containsExactly(
        "more.yaml:1:1: found `lab` in an included file: expected it only in the root spec file",
        "site.yaml:5:8: unknown key `lab.site` in the top-level map: expected one of defaults, profiles, secrets,"
            + " images, hosts, networks, zones, jails",
        "site.yaml:5:21: unknown key `lab.files` in the top-level map: expected one of defaults, profiles,"
            + " secrets, images, hosts, networks, zones, jails");
  }

  @Test
  void anEntityOnlyTheLabHas_isBoundLikeAnyOther() {
    Spec spec = spec(SpecFixture.BASE + "lab: { hosts: { probe: { address: 192.0.2.9 } } }\n", true).spec();

    assertThat(spec.hosts()).containsKeys("mgmt", "server1", "probe");
  }
}

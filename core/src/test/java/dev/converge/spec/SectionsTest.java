package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The top level of a spec: known sections, and the names each kind of entity may have. */
class SectionsTest {

  @TempDir Path dir;

  private SpecFixture spec(String yaml) {
    return new SpecFixture(dir).file("site.yaml", yaml);
  }

  @Test
  void unknownTopLevelKeys_suggestTheClosestSection() {
    assertThat(spec(SpecFixture.BASE + "netwroks: {}\n").problems()).containsExactly("site.yaml:5:1: unknown key"
        + " `netwroks` in the top-level map: expected one of site, defaults, profiles, secrets, images, hosts,"
        + " networks, ospf, zones, jails, files, resources, lab, include — did you mean `networks`?");
  }

  @Test
  void aSectionOfTheWrongShape_isAnError() {
    assertThat(spec(SpecFixture.BASE + "jails: [a, b]\nfiles: { a: b }\n").problems()).containsExactly(
        "site.yaml:5:8: `jails` in the top-level map: found a list, expected a map of jail names to jails",
        "site.yaml:6:8: `files` in the top-level map: found a map, expected a list of files");
  }

  @Test
  void emptySections_areAllowed() {
    assertThat(spec(SpecFixture.BASE + "jails:\nfiles:\nospf:\ninclude:\n").spec().jails()).isEmpty();
  }

  @Test
  void site_isASafeName() {
    assertThat(spec("site: my/site\n").problems()).containsExactly("site.yaml:1:7: `site` in the top-level map:"
        + " found `my/site`, expected a name of letters, digits, `_` and `-` that starts with a letter or digit"
        + " (at most 63 characters)");
  }

  @ParameterizedTest(name = "{0} `{1}`")
  @CsvSource({
      "hosts, web.1, host", "hosts, -rf, host", "jails, a b, jail", "networks, lan/1, network",
      "images, ../x, image", "secrets, $HOME, secret", "profiles, p.q, profile"})
  void namesThatEndUpInFilesAndCommands_areRestricted(String section, String name, String label) {
    assertThat(spec("site: test\n" + section + ":\n  \"" + name + "\": {}\n").problems())
        .contains("site.yaml:3:3: " + label + " name: found `" + name + "`, expected a name of letters, digits, `_`"
            + " and `-` that starts with a letter or digit (at most 63 characters)");
  }

  @Test
  void aNameOf63Characters_isAllowed_64IsNot() {
    String ok = "a".repeat(63);
    assertThat(spec("site: " + ok + "\nhosts: { " + ok + ": { transport: local } }\n").spec().hosts())
        .containsOnlyKeys(ok);
    assertThat(spec("site: " + ok + "b\n").problems()).singleElement().asString()
        .startsWith("site.yaml:1:7: `site` in the top-level map: found `" + ok.substring(0, 40) + "…`");
  }

  @Test
  void zoneNames_areDnsNames_normalisedWithoutTheTrailingDot() {
    assertThat(spec(SpecFixture.BASE + """
        secrets: { k: { env: KEY } }
        zones:
          My.Domain.: { server: 192.0.2.53, key: k }
          bad_label.x-y.: { server: 192.0.2.53, key: k }
        """).spec().zones()).containsOnlyKeys("my.domain", "bad_label.x-y");
  }

  @Test
  void badZoneNames_andZoneNamesGivenTwice_areErrors() {
    assertThat(spec(SpecFixture.BASE + """
        secrets: { k: { env: KEY } }
        zones:
          my..domain: { server: 192.0.2.53, key: k }
          my.domain: { server: 192.0.2.53, key: k }
          my.domain.: { server: 192.0.2.53, key: k }
        """).problems()).containsExactly(
        "site.yaml:7:3: zone name: found `my..domain`, expected a DNS name: labels of letters, digits, `_` and `-`"
            + " separated by dots (at most 63 characters each, 253 in all)",
        "site.yaml:9:3: duplicate zone `my.domain`: already defined at site.yaml:8:3");
  }
}

package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile and malformed YAML: every case is a clean error with a location, quickly, never a crash. */
class YamlReaderTest {

  private static final Duration QUICKLY = Duration.ofSeconds(10);

  @TempDir Path dir;

  private SpecFixture spec(String yaml) {
    return new SpecFixture(dir).file("site.yaml", yaml);
  }

  @Test
  void anchorsAndAliases_areRejectedWhereTheyAreWritten() {
    assertThat(spec("""
        site: test
        defaults: &d { os: linux }
        hosts:
          server1: *d
        """).problems()).containsExactly(
        "site.yaml:2:11: found anchor `&d`: anchors and aliases are not supported in specs (they hide repeated"
            + " text and allow alias bombs): write the value out, or share settings with `defaults` and `profiles`",
        "site.yaml:4:12: found alias `*d`: anchors and aliases are not supported in specs (they hide repeated"
            + " text and allow alias bombs): write the value out, or share settings with `defaults` and `profiles`",
        "site.yaml:4:12: host `server1`: found an empty value, expected a map with keys os, transport, address,"
            + " ssh, via, loopback, resolver, external-interface, routing-daemon, wireguard, hostname, sysctl, repositories, "
            + "packages, users, services, profile");
  }

  @Test
  void billionLaughs_isRefusedQuickly() {
    StringBuilder yaml = new StringBuilder("site: test\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
      yaml.append("lol").append(i).append(": &l").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
      }
      yaml.append("]\n");
    }
    SpecFixture fixture = spec(yaml.toString());
    assertThat(assertTimeoutPreemptively(QUICKLY, fixture::problems))
        .anySatisfy(p -> assertThat(p).startsWith("site.yaml:2:7: found anchor `&l0`"))
        .anySatisfy(p -> assertThat(p).startsWith("site.yaml:3:12: found alias `*l0`"));
  }

  @Test
  void manyProblemsInOneFile_stopReadingItAfterAHundred() {
    SpecFixture fixture = spec("site: test\nlist: [" + "*a, ".repeat(10_000) + "]\n");
    assertThat(assertTimeoutPreemptively(QUICKLY, fixture::problems))
        .hasSize(101)
        .last().asString().endsWith("found too many problems in this file: stopped reading it after 100");
  }

  @Test
  void deepNesting_stopsAtTheLimitWithALocation() {
    SpecFixture fixture = spec("[".repeat(10_000) + "]".repeat(10_000));
    assertThat(assertTimeoutPreemptively(QUICKLY, fixture::problems))
        .containsExactly("site.yaml:1:65: found maps and lists nested 65 levels deep: expected at most 64");
  }

  @Test
  void deepNesting_ofBlockMaps_stopsAtTheLimit() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      yaml.append("  ".repeat(i)).append("k:\n");
    }
    SpecFixture fixture = spec(yaml.toString());
    assertThat(assertTimeoutPreemptively(QUICKLY, fixture::problems))
        .containsExactly("site.yaml:65:129: found maps and lists nested 65 levels deep: expected at most 64");
  }

  @Test
  void maxDepth_isConfigurable() {
    SpecFixture fixture = spec("site: test\nhosts: { mgmt: { transport: local } }\n")
        .loader(SpecLoader.builder().maxDepth(2));
    assertThat(fixture.problems())
        .containsExactly("site.yaml:2:16: found maps and lists nested 3 levels deep: expected at most 2");
  }

  @Test
  void aFileOverTheSizeLimit_isRefusedBeforeParsing() {
    byte[] big = new byte[50 << 20];
    java.util.Arrays.fill(big, (byte) 'a');
    SpecFixture fixture = new SpecFixture(dir).bytes("site.yaml", big);
    assertThat(assertTimeoutPreemptively(QUICKLY, fixture::problems)).containsExactly(
        "site.yaml:1:1: found site.yaml larger than 4194304 bytes: expected a spec file of at most 4194304 bytes");
  }

  @Test
  void maxFileBytes_isConfigurable() {
    SpecFixture fixture = spec(SpecFixture.BASE).loader(SpecLoader.builder().maxFileBytes(10));
    assertThat(fixture.problems()).containsExactly(
        "site.yaml:1:1: found site.yaml larger than 10 bytes: expected a spec file of at most 10 bytes");
  }

  @Test
  void nonUtf8_isReportedAtTheFirstBadByte() {
    byte[] bytes = "site: test\nhosts: \u00e9\u00e9 \u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(new SpecFixture(dir).bytes("site.yaml", bytes).problems())
        .containsExactly("site.yaml:2:8: found byte 0xe9, which is not UTF-8: expected a UTF-8 text file");
  }

  @Test
  void nonUtf8_columnsCountCharactersNotBytes() {
    byte[] good = "site: t\u00e9st\nx: \u00e9\u00e9".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = java.util.Arrays.copyOf(good, good.length + 1);
    bytes[good.length] = (byte) 0xc3;
    assertThat(new SpecFixture(dir).bytes("site.yaml", bytes).problems())
        .containsExactly("site.yaml:2:6: found byte 0xc3, which is not UTF-8: expected a UTF-8 text file");
  }

  @Test
  void aByteOrderMark_isAccepted() {
    byte[] yaml = ("\uFEFF" + SpecFixture.BASE).getBytes(StandardCharsets.UTF_8);
    assertThat(new SpecFixture(dir).bytes("site.yaml", yaml).spec().site()).isEqualTo("test");
  }

  @Test
  void aSecondDocument_isRejectedAtItsSeparator() {
    assertThat(spec(SpecFixture.BASE + "---\nsite: other\n").problems()).containsExactly(
        "site.yaml:5:1: found a second YAML document: expected one document per spec file (split the site with"
            + " `include:` instead of `---`)");
  }

  @Test
  void oneDocumentWithAnExplicitStart_isAccepted() {
    assertThat(spec("---\n" + SpecFixture.BASE).spec().site()).isEqualTo("test");
  }

  @Test
  void customTags_areRejected_standardOnesAccepted() {
    assertThat(spec("""
        site: !!str test
        hosts:
          mgmt: !local { transport: local }
        """).problems()).containsExactly("site.yaml:3:9: found tag `!local`: expected no tag, or one of the"
        + " standard tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq");
  }

  @Test
  void duplicateKeys_areRejectedAtTheSecondNamingTheFirstLine() {
    assertThat(spec("""
        site: test
        hosts:
          mgmt: { transport: local }
          server1: { address: 192.0.2.1 }
          server1: { address: 192.0.2.2 }
        """).problems()).containsExactly(
        "site.yaml:5:3: found key `server1` a second time: expected each key once (first at line 4)");
  }

  @Test
  void syntaxErrors_sayWhatTheParserExpectedAndWhere() {
    assertThat(spec("site: test\nhosts: [a, b\nnetworks: {}\n").problems()).containsExactly(
        "site.yaml:3:9: invalid YAML: expected ',' or ']', but got : (while parsing a flow sequence at line 2,"
            + " column 8)");
  }

  @Test
  void tabs_asIndentation_areSyntaxErrors() {
    assertThat(spec("site: test\nhosts:\n\tmgmt: {}\n").problems()).singleElement().asString()
        .startsWith("site.yaml:3:1: invalid YAML: found character '\\t(TAB)' that cannot start any token.");
  }

  @Test
  void aMapKeyThatIsNotAScalar_isASyntaxError() {
    assertThat(spec("site: test\n? [a, b]\n: c\n").problems()).containsExactly("site.yaml:2:4: invalid YAML:"
        + " found a key that is a list or a map: expected a plain key such as `hosts`");
  }

  @Test
  void anEmptyFile_isAnEmptyMap() {
    assertThat(spec("# nothing yet\n").problems()).containsExactly(
        "site.yaml:1:1: missing key `site` in the top-level map: expected a name of letters, digits, `_` and `-`"
            + " that starts with a letter or digit (at most 63 characters)");
  }

  @Test
  void aTopLevelThatIsNotAMap_isRejected() {
    assertThat(spec("- site\n- test\n").problems()).containsExactly("site.yaml:1:1: found a list at the top of"
        + " the file: expected a map of sections (site, defaults, profiles, secrets, images, hosts, networks, ospf,"
        + " zones, jails, files, resources, lab, include)");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void randomBytes_alwaysGiveACleanError(long seed) {
    Random random = new Random(seed);
    byte[] bytes = new byte[1 + random.nextInt(4096)];
    random.nextBytes(bytes);
    SpecFixture fixture = new SpecFixture(dir).bytes("site.yaml", bytes);
    assertThat(assertTimeoutPreemptively(QUICKLY, fixture::problems)).as("seed %d", seed).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void randomYamlPunctuation_alwaysGivesACleanError(long seed) {
    Random random = new Random(seed);
    String alphabet = "site: hosts\n-[]{}&*!|>'\"#%@`,?: \t\\\u00e9\u2028\u0000";
    StringBuilder yaml = new StringBuilder("site: test\n");
    for (int i = random.nextInt(2000); i > 0; i--) {
      yaml.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    SpecFixture fixture = spec(yaml.toString());
    assertTimeoutPreemptively(QUICKLY, () -> assertThatThrownBy(
        () -> SpecLoader.builder().build().load(fixture.dir().resolve("site.yaml")))
        .as("seed %d", seed).isInstanceOf(SpecException.class));
  }
}

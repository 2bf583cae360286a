package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The kinds of scalar value the format has, accepted and refused. */
class ConversionTest {

  @ParameterizedTest
  @CsvSource({"500ms, PT0.5S", "10s, PT10S", "5m, PT5M", "1h, PT1H", "30, PT30S"})
  void durations(String text, Duration expected) {
    assertThat(Conversion.duration().convert(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0ms", "-1s", "1d", "1.5s", "10 s", "s", "9999999999s"})
  void badDurations(String text) {
    assertThatThrownBy(() -> Conversion.duration().convert(text)).isInstanceOf(Conversion.Invalid.class)
        .hasMessageStartingWith("found `" + text + "`, expected a duration");
  }

  @ParameterizedTest
  @CsvSource({"0644, 420", "644, 420", "4755, 2541", "0, 0", "07777, 4095"})
  void octalModes(String text, int expected) {
    assertThat(Conversion.octalMode().convert(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0o644", "0x1a4", "17777", "008", "-644", ""})
  void badOctalModes(String text) {
    assertThatThrownBy(() -> Conversion.octalMode().convert(text)).isInstanceOf(Conversion.Invalid.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"web", "server-1", "a_b", "0day", "A"})
  void identifiers(String text) {
    assertThat(Conversion.identifier().convert(text)).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-rf", "_x", "a.b", "a/b", "a b", "", "é"})
  void unsafeIdentifiers(String text) {
    assertThatThrownBy(() -> Conversion.identifier().convert(text)).isInstanceOf(Conversion.Invalid.class);
  }

  @ParameterizedTest
  @CsvSource({"lo2, true", "bridge1, true", "vlan.100, true", "eth0-1_x, true", "abcdefghijklmno, true",
      "abcdefghijklmnop, false", "0eth, false", "-x, false", "a b, false", "a/b, false"})
  void interfaceNames(String text, boolean valid) {
    assertThat(valid(Conversion.interfaceName(), text)).isEqualTo(valid);
  }

  @ParameterizedTest
  @CsvSource({"root, true", "_apt, true", "www-data, true", "Root, false", "1user, false", "a;b, false",
      "abcdefghijklmnopqrstuvwxyz0123456, false"})
  void userNames(String text, boolean valid) {
    assertThat(valid(Conversion.userName(), text)).isEqualTo(valid);
  }

  @ParameterizedTest
  @CsvSource({"My.Domain., my.domain", "_sip._tcp.example, _sip._tcp.example", "localhost, localhost"})
  void dnsNames_areNormalised(String text, String expected) {
    assertThat(Conversion.dnsName().convert(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a..b", ".a", "a b", "", "."})
  void badDnsNames(String text) {
    assertThatThrownBy(() -> Conversion.dnsName().convert(text)).isInstanceOf(Conversion.Invalid.class);
  }

  @ParameterizedTest
  @CsvSource({"'" + "a" + "', 63, true", "'a', 64, false"})
  void dnsLabels_haveAtMost63Characters(String letter, int length, boolean valid) {
    assertThat(valid(Conversion.dnsName(), letter.repeat(length) + ".example")).isEqualTo(valid);
  }

  @ParameterizedTest
  @CsvSource({"/etc/motd, true", "/, true", "/a/b-c_d.e, true", "etc/motd, false", "/etc/, false",
      "/etc//motd, false", "/etc/./motd, false", "/etc/../motd, false", "/a/.., false", "~/x, false"})
  void absolutePaths(String text, boolean valid) {
    assertThat(valid(Conversion.absolutePath(), text)).isEqualTo(valid);
  }

  @ParameterizedTest
  @CsvSource({"'10.0.0.0/8', '10.0.0.0/8'", "'0.0.0.0/0', '0.0.0.0/0'", "'2001:DB8::/32', '2001:db8::/32'"})
  void cidrs(String text, String expected) {
    assertThat(Conversion.cidr().convert(text)).hasToString(expected);
  }

  @ParameterizedTest
  @CsvSource({"'192.0.2.1', true", "'2001:db8::1', true", "'host.example.org', true", "'a', true",
      "'198.51.100.300', false", "'1.2.3', false", "'-a.example', false", "'a_b.example', false"})
  void connectAddresses(String text, boolean valid) {
    assertThat(valid(Conversion.address(), text)).isEqualTo(valid);
  }

  @ParameterizedTest
  @CsvSource({"keys/id, /base/keys/id", "/abs/id, /abs/id", "../id, /id"})
  void localPaths_areRelativeToTheSpecFile(String text, String expected) {
    assertThat(Conversion.localPath(Path.of("/base")).convert(text)).isEqualTo(Path.of(expected));
  }

  @ParameterizedTest
  @CsvSource({"80, true", "1, true", "65535, true", "0, false", "65536, false", "08x, false", "'', false",
      "99999999999999999999999, false"})
  void integersInARange(String text, boolean valid) {
    assertThat(valid(Conversion.integer(1, 65535), text)).isEqualTo(valid);
  }

  private static boolean valid(Conversion<?> conversion, String text) {
    try {
      conversion.convert(text);
      return true;
    } catch (Conversion.Invalid e) {
      return false;
    }
  }
}

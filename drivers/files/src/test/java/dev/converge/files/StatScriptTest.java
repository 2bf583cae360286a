package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.transport.LocalTransport;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatScriptTest {

  private static final String SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /* ------ Linux: GNU stat -c '%f %s %u %g %U %G' (raw mode in hex), sha256sum ------ */

  @Test
  void linux_parsesRegularFilesDirectoriesAndAbsentPaths() {
    String out = """
        eae
        81a4	1148	0	0	root	root
        41ed	4096	1	1	daemon	daemon
        --
        %s  /etc/a
        """.formatted(SHA);

    List<Optional<FileState>> states = StatScript.LINUX.parse(out, List.of("/etc/a", "/etc/b", "/var/c"));

    assertThat(states).containsExactly(
        Optional.of(new FileState(FileType.FILE, 0644, 1148, "0", "0", "root", "root", Optional.of(SHA))),
        Optional.empty(),
        Optional.of(new FileState(FileType.DIRECTORY, 0755, 4096, "1", "1", "daemon", "daemon", Optional.empty())));
  }

  @Test
  void linux_readsTheDigestOfANameThatSha256sumEscaped() {
    String out = "e\n81a4\t3\t0\t0\troot\troot\n--\n\\" + SHA + "  /srv/back\\\\slash\n";

    FileState state = StatScript.LINUX.parse(out, List.of("/srv/back\\slash")).get(0).orElseThrow();

    assertThat(state.sha256()).contains(SHA);
  }

  @Test
  void linux_keepsSetuidSetgidAndStickyBits() {
    FileState state = StatScript.LINUX.parse("e\n89ed\t10\t0\t0\troot\troot\n--\n" + SHA + "  /x\n",
        List.of("/x")).get(0).orElseThrow();

    assertThat(state.mode()).isEqualTo("4755");
  }

  @Test
  void linux_reportsOwnersWithoutANameAsGnuStatPrintsThem() {
    FileState state = StatScript.LINUX.parse("e\n81a4\t0\t4242\t4242\tUNKNOWN\tUNKNOWN\n--\n" + SHA + "  /x\n",
        List.of("/x")).get(0).orElseThrow();

    assertThat(state.user()).isEqualTo("UNKNOWN");
    assertThat(state.uid()).isEqualTo("4242");
  }

  /* ------ FreeBSD: stat -f '%p %z %u %g %Su %Sg' (st_mode in octal, stat(1)), sha256 -q (digest only) ------ */

  @Test
  void freebsd_parsesOctalModesAsStat1PrintsThem() {
    String out = """
        eeeeea
        100644	1148	0	0	root	wheel
        40755	512	0	0	root	wheel
        120755	12	0	0	root	wheel
        104555	23	0	0	root	wheel
        20666	0	0	5	root	operator
        --
        %s
        %s
        """.formatted(SHA, SHA.toUpperCase(Locale.ROOT));

    List<Optional<FileState>> states = StatScript.FREEBSD.parse(out,
        List.of("/etc/rc.conf", "/usr/local/etc", "/etc/termcap", "/usr/bin/su", "/dev/null", "/nope"));

    assertThat(states.get(0)).contains(
        new FileState(FileType.FILE, 0644, 1148, "0", "0", "root", "wheel", Optional.of(SHA)));
    assertThat(states.get(1).orElseThrow().type()).isEqualTo(FileType.DIRECTORY);
    assertThat(states.get(2).orElseThrow().type()).isEqualTo(FileType.SYMLINK);
    assertThat(states.get(3).orElseThrow().mode()).isEqualTo("4555");
    assertThat(states.get(3).orElseThrow().sha256()).contains(SHA);
    assertThat(states.get(4).orElseThrow().type()).isEqualTo(FileType.CHAR_DEVICE);
    assertThat(states.get(4).orElseThrow().group()).isEqualTo("operator");
    assertThat(states.get(5)).isEmpty();
  }

  @Test
  void freebsd_reportsOwnersWithoutANameByNumberAsStat1Does() {
    FileState state = StatScript.FREEBSD.parse("e\n100600\t3\t1001\t1001\t1001\t1001\n--\n" + SHA + "\n",
        List.of("/x")).get(0).orElseThrow();

    assertThat(state.user()).isEqualTo("1001");
    assertThat(state.group()).isEqualTo("1001");
  }

  @Test
  void scripts_useTheDocumentedToolsOfEachPlatform() {
    assertThat(StatScript.FREEBSD.script()).contains("xargs -0 stat -f '%p\t%z\t%u\t%g\t%Su\t%Sg' --")
        .contains("xargs -0 sha256 -q --");
    assertThat(StatScript.LINUX.script()).contains("xargs -0 stat -c '%f\t%s\t%u\t%g\t%U\t%G' --")
        .contains("xargs -0 sha256sum --");
  }

  /* ------ both ------ */

  @ParameterizedTest
  @EnumSource(StatScript.class)
  void script_isValidPosixShell(StatScript dialect) throws Exception {
    try (LocalTransport local = new LocalTransport()) {
      ExecResult r = local.exec(Command.of("sh", "-n", "-c", dialect.script()));

      assertThat(r.err()).isEmpty();
      assertThat(r.exitCode()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(StatScript.class)
  void argv_passesPathsAsPositionalArgumentsAfterAConstantScript(StatScript dialect) {
    assertThat(dialect.argv(List.of("/a b", "/$(x)")))
        .containsExactly("sh", "-c", dialect.script(), "sh", "/a b", "/$(x)");
  }

  @Test
  void forPlatform_knowsLinuxAndFreebsdOnly() {
    assertThat(StatScript.forPlatform("linux")).contains(StatScript.LINUX);
    assertThat(StatScript.forPlatform("freebsd")).contains(StatScript.FREEBSD);
    assertThat(StatScript.forPlatform("openbsd")).isEmpty();
  }

  @Test
  void parse_ofAnEmptyBatchOnlyNeedsTheMarkers() {
    assertThat(StatScript.LINUX.parse("\n--\n", List.of())).isEmpty();
  }

  @Test
  void parse_ofAPathStatCouldNotAnswerFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("ee\n81a4\t1\t0\t0\troot\troot\n--\n" + SHA + "  /a\n",
        List.of("/a", "/b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("expected 2 lines of stat output, found 1");
  }

  @Test
  void parse_ofAFileThatCouldNotBeHashedFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("e\n81a4\t1\t0\t0\troot\troot\n--\n", List.of("/root/x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/root/x: no sha256 digest");
  }

  @Test
  void parse_ofMoreDigestsThanRegularFilesFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("e\n41ed\t1\t0\t0\troot\troot\n--\n" + SHA + "  /d\n",
        List.of("/d")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected 0 sha256 digests, found 1");
  }

  @Test
  void parse_ofAWrongPresenceLineFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("a\n--\n", List.of("/a", "/b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one presence letter per path (2)");
  }

  @Test
  void parse_ofGarbageFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("e\nzz\t1\t0\t0\troot\troot\n--\n", List.of("/a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/a: unexpected stat output");
    assertThatThrownBy(() -> StatScript.LINUX.parse("e\n81a4\t1\t0\t0\troot\troot\n--\nnot-a-digest  /a\n",
        List.of("/a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/a: expected a sha256 digest");
  }
}

package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.transport.LocalTransport;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatScriptTest {

  private static final String SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /* ------ Linux: GNU stat -c '%f %s %u %g %U %G' (raw mode in hex), sha256sum ------ */

  @Test
  void linux_parsesRegularFilesDirectoriesAndAbsentPaths() {
    String out = "present\t81a4\t1148\t0\t0\troot\troot\t" + SHA + "\n"
        + "absent\n"
        + "present\t41ed\t4096\t1\t1\tdaemon\tdaemon\t-\n";

    List<Optional<FileState>> states = StatScript.LINUX.parse(out, List.of("/etc/a", "/etc/b", "/var/c"));

    assertThat(states).containsExactly(
        Optional.of(new FileState(FileType.FILE, 0644, 1148, "0", "0", "root", "root", Optional.of(SHA))),
        Optional.empty(),
        Optional.of(new FileState(FileType.DIRECTORY, 0755, 4096, "1", "1", "daemon", "daemon", Optional.empty())));
  }

  @Test
  void linux_keepsSetuidSetgidAndStickyBits() {
    Optional<FileState> state = StatScript.LINUX.parse("present\t89ed\t10\t0\t0\troot\troot\t" + SHA, List.of("/x"))
        .get(0);

    assertThat(state.orElseThrow().mode()).isEqualTo("4755");
  }

  @Test
  void linux_reportsOwnersWithoutANameAsGnuStatPrintsThem() {
    FileState state = StatScript.LINUX.parse("present\t81a4\t0\t4242\t4242\tUNKNOWN\tUNKNOWN\t" + SHA, List.of("/x"))
        .get(0).orElseThrow();

    assertThat(state.user()).isEqualTo("UNKNOWN");
    assertThat(state.uid()).isEqualTo("4242");
  }

  /* ------ FreeBSD: stat -f '%p %z %u %g %Su %Sg' (st_mode in octal, stat(1)), sha256 -q ------ */

  @Test
  void freebsd_parsesOctalModesAsStat1PrintsThem() {
    String out = "present\t100644\t1148\t0\t0\troot\twheel\t" + SHA + "\n"
        + "present\t40755\t512\t0\t0\troot\twheel\t-\n"
        + "present\t120755\t12\t0\t0\troot\twheel\t-\n"
        + "present\t104555\t23\t0\t0\troot\twheel\t" + SHA.toUpperCase() + "\n"
        + "present\t20666\t0\t0\t5\troot\toperator\t-\n"
        + "absent\n";

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
    FileState state = StatScript.FREEBSD.parse("present\t100600\t3\t1001\t1001\t1001\t1001\t" + SHA, List.of("/x"))
        .get(0).orElseThrow();

    assertThat(state.user()).isEqualTo("1001");
    assertThat(state.group()).isEqualTo("1001");
  }

  @Test
  void freebsd_usesStatDashFAndSha256DashQ() {
    assertThat(StatScript.FREEBSD.script()).contains("stat -f '%p\t%z\t%u\t%g\t%Su\t%Sg' -- \"$p\"")
        .contains("sha256 -q < \"$p\"");
    assertThat(StatScript.LINUX.script()).contains("stat -c '%f\t%s\t%u\t%g\t%U\t%G' -- \"$p\"")
        .contains("sha256sum < \"$p\"");
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
  void parse_ofAnErrorLineNamesThePathAndTheReason() {
    assertThatThrownBy(() -> StatScript.LINUX.parse(
        "error\tsh: 1: cannot open /root/x: Permission denied\n", List.of("/root/x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("/root/x: sh: 1: cannot open /root/x: Permission denied");
  }

  @Test
  void parse_ofTooFewLinesFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("absent\n", List.of("/a", "/b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected 2 lines");
  }

  @Test
  void parse_ofGarbageFails() {
    assertThatThrownBy(() -> StatScript.LINUX.parse("present\tzz\t1\t0\t0\troot\troot\t-\n", List.of("/a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/a: unexpected stat output");
    assertThatThrownBy(() -> StatScript.LINUX.parse("present\t81a4\t1\t0\t0\troot\troot\tnot-a-digest\n",
        List.of("/a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected a sha256 digest");
  }
}

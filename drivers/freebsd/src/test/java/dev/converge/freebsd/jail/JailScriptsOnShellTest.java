package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.freebsd.ProbeOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The jail driver's shell scripts run by a real POSIX shell (dash here; FreeBSD's sh is the same Almquist family),
 * FreeBSD's tools replaced by stubs printing their documented output, and file operations done for real in a
 * temporary directory.
 */
class JailScriptsOnShellTest {

  @TempDir
  Path dir;

  static Stream<String> scripts() {
    return Stream.of(JailDriver.SCRIPT, JailDriver.READY_SCRIPT, JailDriver.COPY_SCRIPT, JailDriver.REMOVE_SCRIPT,
        JailDriver.FOREIGN_SCRIPT, JailDriver.SSH_DIRECTORY_SCRIPT, JailDriver.STAGE_SCRIPT,
        JailDriver.CARRY_SCRIPT, JailDriver.SWAP_SCRIPT, ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE);
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void everyScriptIsValidPosixShell(String script) throws Exception {
    ExecResult r = run(List.of("sh", "-n", "-c", script), "");

    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void probe_tagsJlsTheZfsDecisionAndWhatRunsInsideARunningJail() throws Exception {
    stub("jls", """
        case "$*" in
          "-n --libxo json") printf '%s\\n' '{"__version": "2", "jail-information": {"jail": [{"jid":"7","name":"web","host.hostname":"web.my.domain","path":"/x", "ip4.addr": ["172.16.3.2"]}]}}' ;;
          "-j web jid") echo 7 ;;
          *) echo "jls: jail \\"$2\\" not found" >&2; exit 1 ;;
        esac""");
    stub("zpool", "echo zroot");
    stub("zfs", "[ \"$*\" = 'list -H -o name zroot/converge/images' ] && echo zroot/converge/images");
    stub("jexec", """
        [ "$1" = web ] || exit 1
        case "$2 $3" in
          "/bin/sh -c") exit 0 ;;
          "/bin/test -f") exit 0 ;;
          "/bin/cat /etc/resolv.conf") printf 'nameserver 172.16.3.3\\nsearch my.domain' ;;
        esac""");

    ProbeOutput out = ProbeOutput.parse(probe(JailDriver.SCRIPT, "web", "db").out());

    assertThat(Jls.parse(String.join("\n", out.preamble().all("jls")))).containsOnlyKeys("web");
    assertThat(JailStorage.of(out.preamble())).isEqualTo(new JailStorage.Zfs("zroot"));
    ProbeOutput.Section web = out.section("web").orElseThrow();
    assertThat(web.has("start-alive")).isTrue();
    assertThat(web.all("resolv")).containsExactly("nameserver 172.16.3.3", "search my.domain");
    ProbeOutput.Section db = out.section("db").orElseThrow();
    assertThat(db.has("start-alive")).isFalse();
    assertThat(db.has("resolv-file")).isFalse();
  }

  @Test
  void probe_withoutZfsDecidesDirectories() throws Exception {
    stub("jls", "echo '{\"__version\": \"2\", \"jail-information\": {\"jail\": []}}'");

    ProbeOutput out = ProbeOutput.parse(probe(JailDriver.SCRIPT, "web").out());

    assertThat(JailStorage.of(out.preamble())).isEqualTo(new JailStorage.Directories());
    assertThat(out.section("web")).isPresent();
  }

  @Test
  void ready_pingsOnceWithAOneSecondTimeout() throws Exception {
    stub("jls", "exit 0");
    stub("ping", "[ \"$*\" = '-c 1 -t 1 172.16.3.2' ] || exit 2; exit 2");

    ExecResult r = probe(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "-");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("no answer to ping from 172.16.3.2\n");
  }

  @Test
  void ready_aDeadStartCommandIsNamed() throws Exception {
    stub("jls", "exit 0");
    stub("jexec", "exit 1");
    stub("ping", "exit 0");

    ExecResult r = probe(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "start");

    assertThat(r.out()).isEqualTo("the start command of jail web is not running\n");
  }

  @Test
  void copy_keepsHardLinksAndFailsWhenTheImageIsMissing() throws Exception {
    Path image = Files.createDirectories(dir.resolve("image/bin"));
    Files.writeString(image.resolve("sh"), "shell");
    Files.createLink(image.resolve("rsh"), image.resolve("sh"));
    Path root = dir.resolve("jail/root");

    ExecResult ok = probe(JailDriver.COPY_SCRIPT, dir.resolve("image").toString(), root.toString());
    ExecResult missing = probe(JailDriver.COPY_SCRIPT, dir.resolve("nope").toString(), dir.resolve("j2").toString());

    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(Files.readString(root.resolve("bin/sh"))).isEqualTo("shell");
    assertThat(Files.isSameFile(root.resolve("bin/sh"), root.resolve("bin/rsh"))).as("one file, two links").isTrue();
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("image root " + dir.resolve("nope") + " does not exist");
  }

  @Test
  void carry_copiesTheListedPathsOverTheNewRoot_withTheirModes_andLeavesTheRestOfItAlone() throws Exception {
    Path jail = dir.resolve("jail/root");
    Files.createDirectories(jail.resolve("etc"));
    Files.writeString(jail.resolve("etc/rc.conf"), "sshd_enable=\"YES\"\n");
    Files.createDirectories(jail.resolve("root"));
    Path data = Files.writeString(jail.resolve("root/my data"), "kept");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-------"));
    Path staging = dir.resolve("jail/root.rebase");
    Files.createDirectories(staging.resolve("etc"));
    Files.writeString(staging.resolve("etc/rc.conf"), "# the new image's\n");
    Files.writeString(staging.resolve("etc/motd"), "new motd\n");
    // chroot is FreeBSD's own, into the new root; here its tar extracts there directly
    stub("chroot", "[ \"$1\" = '" + staging + "' ] && [ \"$2 $3 $4 $5\" = 'tar -xpf - -C' ] && [ \"$6\" = / ]"
        + " && exec tar -xpf - -C \"$1\"; echo \"chroot stub: unexpected $*\" >&2; exit 9");

    ExecResult r = run(ProbeOutput.script(JailDriver.CARRY_SCRIPT, List.of(jail.toString(), staging.toString()))
        .argv(), "etc\0etc/rc.conf\0root\0root/my data\0");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readString(staging.resolve("etc/rc.conf"))).as("the jail's version wins")
        .isEqualTo("sshd_enable=\"YES\"\n");
    assertThat(Files.readString(staging.resolve("etc/motd"))).as("what the jail did not touch is the new image's")
        .isEqualTo("new motd\n");
    assertThat(Files.readString(staging.resolve("root/my data"))).isEqualTo("kept");
    assertThat(Files.getPosixFilePermissions(staging.resolve("root/my data")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void carry_failsWhenAListedPathCannotBeRead() throws Exception {
    Path jail = Files.createDirectories(dir.resolve("jail/root"));
    Path staging = Files.createDirectories(dir.resolve("jail/root.rebase"));
    stub("chroot", "shift; exec tar -xpf - -C '" + staging + "'");

    ExecResult r = run(ProbeOutput.script(JailDriver.CARRY_SCRIPT, List.of(jail.toString(), staging.toString()))
        .argv(), "gone\0");

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err()).contains("gone");
  }

  @Test
  void remove_refusesWhileSomethingIsMountedBelowTheJail() throws Exception {
    Path jail = Files.createDirectories(dir.resolve("jails/web/root/usr/local/www"));
    stub("mount", "printf '/data/www\\t%s\\tnullfs\\tro\\t0 0\\n' '" + jail + "'");

    ExecResult r = probe(JailDriver.REMOVE_SCRIPT, dir.resolve("jails/web").toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("still has file systems mounted below it");
    assertThat(jail).exists();
  }

  @Test
  void remove_deletesTheJailWhenNothingIsMountedThere() throws Exception {
    Files.createDirectories(dir.resolve("jails/web/root/etc"));
    Files.createDirectories(dir.resolve("jails/web2"));
    stub("mount", "printf '/dev/ada0p2\\t/\\tufs\\trw\\t1 1\\n/data\\t%s\\tnullfs\\trw\\t0 0\\n' '"
        + dir.resolve("jails/web2") + "'");

    ExecResult r = probe(JailDriver.REMOVE_SCRIPT, dir.resolve("jails/web").toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(dir.resolve("jails/web")).doesNotExist();
    assertThat(dir.resolve("jails/web2")).as("a mount of a jail with a longer name is not this jail's").exists();
  }

  @Test
  void foreign_refusesAConfWithoutRecordOnly() throws Exception {
    Path conf = Files.writeString(dir.resolve("web.conf"), "web {}\n");
    Path record = dir.resolve("jail.json");

    ExecResult foreign = probe(JailDriver.FOREIGN_SCRIPT, conf.toString(), record.toString());
    Files.writeString(record, "{}");
    ExecResult ours = probe(JailDriver.FOREIGN_SCRIPT, conf.toString(), record.toString());
    ExecResult none = probe(JailDriver.FOREIGN_SCRIPT, dir.resolve("db.conf").toString(), record.toString());

    assertThat(foreign.exitCode()).isEqualTo(1);
    assertThat(ours.exitCode()).isZero();
    assertThat(none.exitCode()).isZero();
  }

  private void stub(String name, String body) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private ExecResult probe(String script, String... args) throws Exception {
    Command c = ProbeOutput.script(script, List.of(args));
    return run(c.argv(), "");
  }

  private ExecResult run(List<String> argv, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv));
    pb.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
    return new ExecResult(p.exitValue(), out, err);
  }
}

package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny Debian package {@code converge-hello} with a SysV service of the same name (a do-nothing daemon), in a flat
 * apt repository (copied from the it module's LabFixture).
 */
final class HelloRepository {

  static final String PACKAGE = "converge-hello";

  private HelloRepository() {}

  /** Builds the repository under {@code dir}, which lab hosts must be able to read (not /tmp: theirs is private). */
  static Path build(Path dir) throws IOException, InterruptedException {
    Path pkg = dir.resolve("pkg");
    Files.createDirectories(pkg.resolve("DEBIAN"));
    Files.createDirectories(pkg.resolve("etc/init.d"));
    Files.writeString(pkg.resolve("DEBIAN/control"), """
        Package: converge-hello
        Version: 1.0
        Architecture: all
        Maintainer: converge tests <tests@converge.invalid>
        Description: a package the converge Linux driver tests install
        """);
    Path init = pkg.resolve("etc/init.d/converge-hello");
    Files.writeString(init, """
        #!/bin/sh
        ### BEGIN INIT INFO
        # Provides:          converge-hello
        # Required-Start:
        # Required-Stop:
        # Default-Start:     2 3 4 5
        # Default-Stop:      0 1 6
        # Short-Description: a do-nothing daemon for converge's tests
        ### END INIT INFO
        PIDFILE=/run/converge-hello.pid
        running() { [ -f $PIDFILE ] && kill -0 "$(cat $PIDFILE)" 2>/dev/null; }
        case "$1" in
          start) running || { sleep 100000 & echo $! > $PIDFILE; echo started; } ;;
          stop) running && kill "$(cat $PIDFILE)"; rm -f $PIDFILE ;;
          status) running && exit 0 || exit 3 ;;
          *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
        esac
        """);
    assertThat(init.toFile().setExecutable(true, false)).isTrue();
    Path repo = Files.createDirectories(dir.resolve("repo"));
    run(dir, "dpkg-deb", "--root-owner-group", "--build", pkg.toString(),
        repo.resolve("converge-hello_1.0_all.deb").toString());
    Process scan = new ProcessBuilder("dpkg-scanpackages", "--multiversion", ".").directory(repo.toFile())
        .redirectOutput(repo.resolve("Packages").toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(scan.waitFor()).isZero();
    return repo;
  }

  private static void run(Path dir, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }
}

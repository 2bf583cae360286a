package dev.converge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A tiny Debian package, {@value #PACKAGE}, with a SysV service of the same name (a do-nothing daemon that keeps the
 * output of whoever started it open, as careless daemons do), in a flat apt repository: lab hosts have no route out,
 * so a package test must bring its own repository.
 *
 * <p>Lab hosts have a private /tmp, /run and /dev/shm: a repository asked for under one of them (a checkout under
 * /tmp, say) is built under /var/tmp instead, which lab hosts see as it was when they came up. Build it before the
 * lab comes up, and {@link #close()} it when done.
 *
 * @param directory what to put in the host's sources list: {@code deb [trusted=yes] file:DIRECTORY ./}
 */
public record HelloRepository(Path directory, Path root) implements AutoCloseable {

  public static final String PACKAGE = "converge-hello";

  private static final List<Path> PRIVATE_TO_LAB_HOSTS = List.of(Path.of("/tmp"), Path.of("/run"), Path.of("/dev/shm"));

  /** Builds the package (dpkg-deb) and its repository (dpkg-scanpackages) in a new directory {@code root}. */
  public static HelloRepository build(Path root) throws IOException, InterruptedException {
    Path absolute = root.toAbsolutePath().normalize();
    if (PRIVATE_TO_LAB_HOSTS.stream().anyMatch(absolute::startsWith)) {
      absolute = Path.of("/var/tmp/converge-tests").resolve(absolute.getFileName());
    }
    Path pkg = absolute.resolve("pkg");
    Files.createDirectories(pkg.resolve("DEBIAN"));
    Files.createDirectories(pkg.resolve("etc/init.d"));
    Files.createDirectories(pkg.resolve("usr/share/converge-hello"));
    Files.writeString(pkg.resolve("DEBIAN/control"), """
        Package: converge-hello
        Version: 1.0
        Architecture: all
        Maintainer: converge tests <tests@converge.invalid>
        Description: a package converge's tests install
        """);
    Files.writeString(pkg.resolve("usr/share/converge-hello/hello.txt"), "hello from a package\n");
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
          restart) "$0" stop; "$0" start ;;
          *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
        esac
        """);
    if (!init.toFile().setExecutable(true, false)) {
      throw new IOException("cannot make " + init + " executable");
    }
    Path repo = Files.createDirectories(absolute.resolve("repo"));
    run(absolute, null, "dpkg-deb", "--root-owner-group", "--build", pkg.toString(),
        repo.resolve("converge-hello_1.0_all.deb").toString());
    run(repo, repo.resolve("Packages"), "dpkg-scanpackages", "--multiversion", ".");
    return new HelloRepository(repo, absolute);
  }

  /** The sources.list line of the repository. */
  public String sourcesLine() {
    return "deb [trusted=yes] file:" + directory + " ./";
  }

  /** Deletes the package and the repository. */
  @Override
  public void close() {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(Path dir, Path output, String... argv) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
    Path log = Files.createTempFile("hello-repository", ".log");
    try {
      pb.redirectError(log.toFile()).redirectOutput(output == null ? log.toFile() : output.toFile());
      int exit = pb.start().waitFor();
      if (exit != 0) {
        throw new IOException(String.join(" ", argv) + " failed (exit " + exit + "): " + Files.readString(log));
      }
    } finally {
      Files.delete(log);
    }
  }
}

package dev.converge.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tarballs compressed by the system's own tools are told apart by their first bytes. */
class CompressionTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"'', NONE", "-z, GZIP", "-J, XZ", "-j, BZIP2"})
  void theCompression_isToldByTheFirstBytes(String tarFlag, Compression expected)
      throws IOException, InterruptedException {
    Files.writeString(dir.resolve("file"), "content");
    Path tar = dir.resolve("x.tar");
    ProcessBuilder pb = tarFlag.isEmpty()
        ? new ProcessBuilder("tar", "-c", "-f", tar.toString(), "-C", dir.toString(), "file")
        : new ProcessBuilder("tar", tarFlag, "-c", "-f", tar.toString(), "-C", dir.toString(), "file");
    Process p = pb.inheritIO().start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();

    assertThat(Compression.of(tar)).isEqualTo(expected);
    assertThat(Compression.of(tar).flag().orElse("")).isEqualTo(tarFlag);
  }
}

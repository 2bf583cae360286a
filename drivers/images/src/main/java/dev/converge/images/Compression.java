package dev.converge.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * How a tarball is compressed, told by its first bytes. GNU tar detects compression only when it reads a file; from a
 * pipe, which is how a tarball reaches a host, it needs the flag (checked: GNU tar 1.34 says "Archive is compressed.
 * Use -z option"). bsdtar accepts the same flags.
 */
enum Compression {
  GZIP("-z", 0x1f, 0x8b),
  XZ("-J", 0xfd, '7', 'z', 'X', 'Z', 0x00),
  BZIP2("-j", 'B', 'Z', 'h'),
  ZSTD("--zstd", 0x28, 0xb5, 0x2f, 0xfd),
  NONE(null);

  private final String flag;
  private final byte[] magic;

  Compression(String flag, int... magic) {
    this.flag = flag;
    this.magic = new byte[magic.length];
    for (int i = 0; i < magic.length; i++) {
      this.magic[i] = (byte) magic[i];
    }
  }

  /** tar's flag for this compression; empty for a plain tar. */
  Optional<String> flag() {
    return Optional.ofNullable(flag);
  }

  static Compression of(byte[] head) {
    for (Compression c : values()) {
      if (c != NONE && head.length >= c.magic.length
          && Arrays.equals(Arrays.copyOf(head, c.magic.length), c.magic)) {
        return c;
      }
    }
    return NONE;
  }

  static Compression of(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return of(in.readNBytes(8));
    }
  }
}

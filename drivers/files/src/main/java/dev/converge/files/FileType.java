package dev.converge.files;

import java.util.Arrays;

/** What kind of file system object a path names, from the type bits of {@code st_mode} (same on Linux and BSD). */
enum FileType {
  FILE("file", 0100000),
  DIRECTORY("directory", 0040000),
  SYMLINK("symlink", 0120000),
  FIFO("fifo", 0010000),
  SOCKET("socket", 0140000),
  CHAR_DEVICE("char-device", 0020000),
  BLOCK_DEVICE("block-device", 0060000),
  UNKNOWN("unknown", -1);

  private static final int TYPE_BITS = 0170000;

  private final String label;
  private final int bits;

  FileType(String label, int bits) {
    this.label = label;
    this.bits = bits;
  }

  /** The value of the {@code type} property: {@code file}, {@code directory}, {@code symlink}, ... */
  String label() {
    return label;
  }

  static FileType of(int rawMode) {
    int type = rawMode & TYPE_BITS;
    return Arrays.stream(values()).filter(t -> t.bits == type).findFirst().orElse(UNKNOWN);
  }
}

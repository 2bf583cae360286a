package dev.converge.files;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fetches the content of several files in one process: {@code cat -- PATH...}, cut apart by the sizes the probe
 * just saw. A file that changed size or could not be read in the meantime shifts what follows, so the caller checks
 * every piece against the digest it probed and never shows one that does not match.
 */
final class ContentFetch {

  private ContentFetch() {}

  static List<String> argv(List<String> paths) {
    List<String> argv = new ArrayList<>(paths.size() + 2);
    argv.addAll(List.of("cat", "--"));
    argv.addAll(paths);
    return argv;
  }

  /** One entry per expected size, in order: the bytes at that place, or empty from where the output ran short. */
  static List<Optional<byte[]>> split(byte[] output, List<Long> sizes) {
    List<Optional<byte[]>> pieces = new ArrayList<>(sizes.size());
    long pos = 0;
    boolean ranShort = false;
    for (long size : sizes) {
      ranShort = ranShort || pos + size > output.length;
      if (ranShort) {
        pieces.add(Optional.empty());
      } else {
        pieces.add(Optional.of(Arrays.copyOfRange(output, (int) pos, (int) (pos + size))));
        pos += size;
      }
    }
    return pieces;
  }
}

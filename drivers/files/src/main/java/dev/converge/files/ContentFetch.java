package dev.converge.files;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The constant shell script that prints the content of several files in one exec, and its parser. Paths are the
 * script's positional arguments. For each path, in order, the output holds either a line with the byte count
 * followed by exactly that many bytes, or a line {@code -} when the file could not be read:
 *
 * <pre>
 * 6\nhello\n-\n3\nabc
 * </pre>
 *
 * A file that changes between the count and the copy breaks the framing; the parser then gives up on that file and
 * every later one (the caller compares each result with the digest it probed, so a torn read is never shown).
 */
final class ContentFetch {

  static final String SCRIPT = """
      for p do
        if n=$(wc -c < "$p"); then printf '%s\\n' $n; cat -- "$p"; else echo -; fi
      done
      """;

  private ContentFetch() {}

  static List<String> argv(List<String> paths) {
    List<String> argv = new ArrayList<>(paths.size() + 4);
    argv.addAll(List.of("sh", "-c", SCRIPT, "sh"));
    argv.addAll(paths);
    return argv;
  }

  /** One entry per requested file: its bytes, or empty when it was unreadable or the framing broke. */
  static List<Optional<byte[]>> parse(byte[] output, int files) {
    List<Optional<byte[]>> contents = new ArrayList<>(files);
    int pos = 0;
    while (contents.size() < files) {
      int newline = indexOf(output, (byte) '\n', pos);
      if (newline < 0) {
        break;
      }
      String header = new String(output, pos, newline - pos, StandardCharsets.US_ASCII);
      pos = newline + 1;
      if (header.equals("-")) {
        contents.add(Optional.empty());
        continue;
      }
      long size = parseSize(header);
      if (size < 0 || size > output.length - pos) {
        break;
      }
      contents.add(Optional.of(Arrays.copyOfRange(output, pos, pos + (int) size)));
      pos += (int) size;
    }
    while (contents.size() < files) {
      contents.add(Optional.empty());
    }
    return contents;
  }

  private static long parseSize(String header) {
    if (header.isEmpty() || header.length() > 18 || !header.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Long.parseLong(header);
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}

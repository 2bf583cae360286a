package dev.converge.driver;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A command as an argument vector, with optional standard input and a timeout. There is deliberately no way to
 * build one from a shell string: values from a spec always travel as separate arguments.
 */
public record Command(List<String> argv, byte[] stdin, Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public Command {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argv");
    }
    for (String a : argv) {
      if (a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("NUL byte in argument");
      }
    }
    stdin = stdin == null ? new byte[0] : stdin;
    Objects.requireNonNull(timeout, "timeout");
  }

  public static Command of(String... argv) {
    return new Command(List.of(argv), null, DEFAULT_TIMEOUT);
  }

  public static Command of(List<String> argv) {
    return new Command(argv, null, DEFAULT_TIMEOUT);
  }

  public Command withStdin(byte[] input) {
    return new Command(argv, input, timeout);
  }

  public Command withStdin(String input) {
    return withStdin(input.getBytes(StandardCharsets.UTF_8));
  }

  public Command withTimeout(Duration t) {
    return new Command(argv, stdin, t);
  }

  /**
   * The argv as one POSIX shell line with every argument single-quoted, for transports (SSH) that can only send a
   * string. {@code it's} becomes {@code 'it'\''s'}.
   */
  public String toShellLine() {
    StringBuilder sb = new StringBuilder();
    for (String a : argv) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(quote(a));
    }
    return sb.toString();
  }

  public static String quote(String arg) {
    if (!arg.isEmpty() && arg.chars().allMatch(Command::isSafe)) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  private static boolean isSafe(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_./=:,@%+".indexOf(c) >= 0;
  }

  /** argv[0] and the argument count: what may appear in logs (arguments can carry data). */
  @Override
  public String toString() {
    return argv.get(0) + " (" + (argv.size() - 1) + " args)";
  }
}

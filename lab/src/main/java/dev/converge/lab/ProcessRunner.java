package dev.converge.lab;

import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs the machine's tools ({@code ip}, {@code ssh-keygen}, {@code apt-get}) as argument vectors with a fixed
 * environment ({@code PATH} of the system directories, {@code LC_ALL=C} so that messages are the documented ones),
 * captures both outputs and bounds the time.
 */
final class ProcessRunner {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "lab-process-output");
    t.setDaemon(true);
    return t;
  });

  private ProcessRunner() {}

  static ExecResult run(List<String> argv) {
    return run(argv, new byte[0], DEFAULT_TIMEOUT, Map.of());
  }

  /**
   * Runs {@code argv} to completion with {@code stdin} as its input.
   *
   * @throws LabException if it cannot be started or outlives {@code timeout} (it is then killed)
   */
  static ExecResult run(List<String> argv, byte[] stdin, Duration timeout, Map<String, String> extraEnvironment) {
    return run(argv, null, stdin, timeout, extraEnvironment);
  }

  /**
   * As {@link #run(List, byte[], Duration, Map)}, in {@code directory} (this process's working directory when
   * null).
   */
  static ExecResult run(List<String> argv, Path directory, byte[] stdin, Duration timeout,
      Map<String, String> extraEnvironment) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (directory != null) {
      pb.directory(directory.toFile());
    }
    pb.environment().clear();
    pb.environment().put("PATH", PATH);
    pb.environment().put("LC_ALL", "C");
    pb.environment().putAll(extraEnvironment);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new LabException("cannot run `" + display(argv) + "`: " + e.getMessage(), e);
    }
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), READERS);
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), READERS);
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // the tool exited without reading all of its input: its status and stderr tell why
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new LabException("`" + display(argv) + "` did not finish within " + timeout.toSeconds() + " s");
      }
      return new ExecResult(p.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running `" + display(argv) + "`", e);
    } catch (ExecutionException e) {
      throw new LabException("cannot read the output of `" + display(argv) + "`: " + e.getCause().getMessage(), e);
    }
  }

  /** Runs {@code argv} and returns its standard output; a non-zero exit is a {@link LabException}. */
  static String check(List<String> argv) {
    return check(argv, "");
  }

  /** As {@link #check(List)}, with {@code stdin} as the tool's input (for {@code ip -batch -}). */
  static String check(List<String> argv, String stdin) {
    ExecResult r = run(argv, stdin.getBytes(StandardCharsets.UTF_8), DEFAULT_TIMEOUT, Map.of());
    if (!r.ok()) {
      throw failure(argv, r);
    }
    return r.out();
  }

  static LabException failure(List<String> argv, ExecResult r) {
    String err = r.err().strip();
    return new LabException("`" + display(argv) + "` failed (exit " + r.exitCode() + ")"
        + (err.isEmpty() ? "" : ": " + err));
  }

  /** The command as one could type it: each argument shell-quoted. */
  static String display(List<String> argv) {
    return Command.of(argv).toShellLine();
  }

  /** The last {@code count} lines of {@code lines}, one text: what an error message shows of a log or output. */
  static String lastLines(List<String> lines, int count) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

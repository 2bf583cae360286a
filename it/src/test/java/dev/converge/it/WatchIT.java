package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code converge watch} as a real process: it restores drift within an interval, converges as soon as the spec
 * changes, reports on /healthz, /status and /metrics (on 127.0.0.1), and stops cleanly on SIGTERM.
 */
class WatchIT {

  private static final Pattern SERVING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;
  private Path root;
  private Path spec;
  private Path stderr;
  private Process watch;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void writeSpec() throws Exception {
    root = dir.resolve("managed");
    spec = SpecWriter.files(dir.resolve("site.yaml"), "watched", "box", "transport: local", root, 5, -1);
    stderr = dir.resolve("watch.err");
  }

  @AfterEach
  void stopWatch() throws Exception {
    if (watch != null && watch.isAlive()) {
      watch.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private int start(String interval) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Cli.command("watch", "--interval", interval, "--listen", "127.0.0.1:0",
        spec.toString()));
    pb.redirectOutput(dir.resolve("watch.out").toFile()).redirectError(stderr.toFile());
    watch = pb.start();
    int[] port = new int[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      Matcher m = SERVING.matcher(Files.readString(stderr));
      assertThat(m.find()).as("watch announces its status address; stderr so far:\n%s", Files.readString(stderr))
          .isTrue();
      port[0] = Integer.parseInt(m.group(1));
    });
    return port[0];
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Path file(int i) {
    return root.resolve("dir" + (i % 10)).resolve("file-" + i + ".conf");
  }

  @Test
  void driftIsRestoredWithinAnIntervalAndReportedInStatusAndMetrics() throws Exception {
    int port = start("2s");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(port, "/healthz").statusCode())
        .isEqualTo(200));
    assertThat(file(2)).hasContent(SpecWriter.content(2).stripTrailing());

    Files.writeString(file(2), "changed behind converge's back\n");

    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(file(2)).hasContent(SpecWriter.content(2).stripTrailing()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(get(port, "/metrics").body()).contains("converge_drift_total 1\n")
          .contains("converge_runs_total{result=\"converged\"}")
          .contains("converge_actions_total{action=\"update\",result=\"succeeded\"} 1\n");
      assertThat(get(port, "/status").body()).contains("\"address\" : \"file/box:" + file(2) + "\"");
    });
  }

  @Test
  void aSpecEditIsConvergedAtOnceAndSigtermStopsCleanly() throws Exception {
    int port = start("1h");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(port, "/healthz").statusCode())
        .isEqualTo(200));

    Files.writeString(spec, Files.readString(spec).replace("index = 3", "index = three"));

    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(file(3)).content().contains("index = three"));

    watch.destroy();
    assertThat(watch.waitFor(30, TimeUnit.SECONDS)).as("watch stops on SIGTERM").isTrue();
    assertThat(watch.exitValue()).isIn(0, 143);
    Cli.Run plan = Cli.run("plan", spec.toString());
    assertThat(plan.exit()).as("the lock is free and nothing is left to do: " + plan).isZero();
  }
}

package dev.converge.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusServerTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HttpResponse<String> get(StatusServer s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void beforeTheFirstRunHealthIs503AndMetricsAreValidText() throws Exception {
    WatchStatus status = new WatchStatus(Duration.ofMinutes(5));
    try (StatusServer s = StatusServer.start("127.0.0.1:0", status)) {
      HttpResponse<String> health = get(s, "/healthz");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).isEqualTo("no run finished yet\n");

      HttpResponse<String> metrics = get(s, "/metrics");
      assertThat(metrics.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body()).contains("# TYPE converge_runs_total counter\n")
          .contains("converge_runs_total{result=\"converged\"} 0\n")
          .contains("converge_last_run_converged 0\n");
      assertThat(metrics.body().lines()).allMatch(l -> l.startsWith("#") || l.matches("[a-z_]+(\\{.*\\})? \\S+"));

      assertThat(get(s, "/nope").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aRunThatFailedToStartMakesHealthNameTheReason() throws Exception {
    WatchStatus status = new WatchStatus(Duration.ofMinutes(5));
    status.record(Optional.empty(), Optional.of("the spec is invalid; keeping hosts as they are"), "", Map.of());
    try (StatusServer s = StatusServer.start("0", status)) {
      assertThat(s.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(get(s, "/healthz").body()).isEqualTo("the spec is invalid; keeping hosts as they are\n");
      assertThat(get(s, "/status").body()).contains("\"runs\" : 1");
    }
  }

  @Test
  void aListenAddressThatIsNotAnIpAndPortIsRefused() {
    assertThatThrownBy(() -> StatusServer.start("localhost:abc", new WatchStatus(Duration.ofMinutes(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected [HOST:]PORT");
    assertThatThrownBy(() -> StatusServer.start("example.com:80", new WatchStatus(Duration.ofMinutes(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected [IP:]PORT");
  }
}

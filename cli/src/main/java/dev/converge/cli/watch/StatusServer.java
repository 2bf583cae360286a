package dev.converge.cli.watch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.converge.plan.PlanJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;

/** {@code --listen ADDR}: {@code /healthz}, {@code /status} (JSON) and {@code /metrics} (Prometheus text). */
public final class StatusServer implements AutoCloseable {

  private final HttpServer server;

  /**
   * Serves {@code status} on {@code listen}: {@code PORT} (on 127.0.0.1) or {@code HOST:PORT}; port 0 picks a free one.
   *
   * @throws IllegalArgumentException for an unusable address
   */
  public static StatusServer start(String listen, WatchStatus status) throws IOException {
    int colon = listen.lastIndexOf(':');
    String host = colon < 0 ? "127.0.0.1" : listen.substring(0, colon).replaceAll("^\\[|\\]$", "");
    int port;
    try {
      port = Integer.parseInt(colon < 0 ? listen : listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--listen " + listen + ": expected [HOST:]PORT");
    }
    if (port < 0 || port > 65535 || !com.google.common.net.InetAddresses.isInetAddress(host)) {
      throw new IllegalArgumentException("--listen " + listen + ": expected [IP:]PORT with a port 0-65535");
    }
    return new StatusServer(new InetSocketAddress(com.google.common.net.InetAddresses.forString(host), port), status);
  }

  private StatusServer(InetSocketAddress address, WatchStatus status) throws IOException {
    server = HttpServer.create(address, 16);
    server.createContext("/healthz", ex -> {
      Optional<String> problem = status.unhealthy();
      respond(ex, problem.isEmpty() ? 200 : 503, "text/plain; charset=utf-8", problem.map(p -> p + "\n").orElse("ok\n"));
    });
    server.createContext("/status", ex -> respond(ex, 200, "application/json", PlanJson.write(status.json())));
    server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        status.metrics()));
    server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8",
        "not found: try /healthz, /status, /metrics\n"));
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "converge-status");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
      code = 405;
      bytes = "only GET\n".getBytes(StandardCharsets.UTF_8);
    }
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, ex.getRequestMethod().equals("HEAD") ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!ex.getRequestMethod().equals("HEAD")) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

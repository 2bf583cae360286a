package dev.converge.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Image data on the management machine, kept by content: {@code DIR/sha256/HEX}. A file enters the cache only once
 * its SHA-256 matches the one expected, so that whatever is streamed to a host has been verified first; each digest
 * is fetched once, however many hosts need it at the same time.
 *
 * <p>DIR is the system property {@code converge.image-cache} when set, else {@code $XDG_CACHE_HOME/converge/images},
 * else {@code ~/.cache/converge/images}.
 */
final class DownloadCache {

  /** Thrown when data is not what its digest promised; the message names both digests. */
  static final class Mismatch extends IOException {
    private final String actual;

    Mismatch(String expected, String actual) {
      super("expected sha256 " + expected + ", got " + actual);
      this.actual = actual;
    }

    String actual() {
      return actual;
    }
  }

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(30);
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();

  DownloadCache(Path dir) {
    this.dir = dir;
  }

  static DownloadCache fromEnvironment() {
    String override = System.getProperty("converge.image-cache");
    if (override != null && !override.isBlank()) {
      return new DownloadCache(Path.of(override));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return new DownloadCache(base.resolve("converge").resolve("images"));
  }

  Path dir() {
    return dir;
  }

  /** The cached file with {@code sha256}, fetched from {@code url} if the cache lacks it. */
  Path fetch(URI url, String sha256) throws IOException {
    return cached(sha256, () -> open(url));
  }

  /** The cached copy of the local {@code file}, which must have {@code sha256}. */
  Path copy(Path file, String sha256) throws IOException {
    return cached(sha256, () -> Files.newInputStream(file));
  }

  /** A small text (a MANIFEST) fetched without caching. */
  String text(URI url) throws IOException {
    try (InputStream in = open(url)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private interface Source {
    InputStream open() throws IOException;
  }

  private Path cached(String sha256, Source source) throws IOException {
    Path file = dir.resolve("sha256").resolve(sha256);
    synchronized (LOCKS.computeIfAbsent(file.toString(), f -> new Object())) {
      if (Files.isRegularFile(file)) {
        String found = sha256(file);
        if (found.equals(sha256)) {
          return file;
        }
        Files.delete(file); // damaged on disk; fetched again below
      }
      Files.createDirectories(file.getParent());
      Path partial = Files.createTempFile(file.getParent(), sha256 + ".", ".part");
      try {
        MessageDigest digest = sha256Digest();
        try (InputStream in = new DigestInputStream(source.open(), digest);
            OutputStream out = Files.newOutputStream(partial)) {
          in.transferTo(out);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
          throw new Mismatch(sha256, actual);
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
      } finally {
        Files.deleteIfExists(partial);
      }
    }
  }

  private InputStream open(URI url) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(DOWNLOAD_TIMEOUT).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + url, e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException(url + " answered HTTP " + response.statusCode());
    }
    return response.body();
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256Digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

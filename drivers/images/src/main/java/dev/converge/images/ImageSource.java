package dev.converge.images;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where an image's root filesystem comes from: the {@code source} property of {@code image/HOST:NAME}, validated,
 * so that every value that later reaches a command line is known to be harmless there.
 */
public sealed interface ImageSource {

  /** A tar archive (plain, gzip, xz, bzip2 or zstd) fetched by URL or read from a file on the management machine. */
  record Tarball(URI url, String path, String sha256) implements ImageSource {}

  /** debootstrap run on the host. */
  record Debootstrap(String suite, String variant, String mirror, List<String> packages) implements ImageSource {}

  /** FreeBSD release sets ({@code base.txz}, …) from {@code MIRROR/ARCH/VERSION/}, checked against its MANIFEST. */
  record FreebsdRelease(String version, String arch, List<String> sets, String mirror) implements ImageSource {}

  Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9.+_-]{0,62}");
  Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+-[A-Z0-9.-]+");

  /**
   * Reads {@code source} (a canonical property map).
   *
   * @param where names the resource in error messages ({@code image/h1:web})
   * @throws IllegalArgumentException naming the field that is missing or not acceptable
   */
  static ImageSource of(Object source, String where) {
    if (!(source instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": `source` must be a map, got " + source);
    }
    String type = text(map, "type", where);
    return switch (type) {
      case "tarball" -> tarball(map, where);
      case "debootstrap" -> new Debootstrap(word(map, "suite", where), word(map, "variant", where),
          url(map, "mirror", where, List.of("http", "https", "file")).toString(), words(map, "packages", where));
      case "freebsd-release" -> freebsdRelease(map, where);
      default -> throw new IllegalArgumentException(where + ": source type `" + type
          + "` is not tarball, debootstrap or freebsd-release");
    };
  }

  private static Tarball tarball(Map<?, ?> map, String where) {
    String sha256 = text(map, "sha256", where);
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException(where + ": `sha256` must be 64 lowercase hex digits, got `" + sha256 + "`");
    }
    boolean hasUrl = map.get("url") != null;
    boolean hasPath = map.get("path") != null;
    if (hasUrl == hasPath) {
      throw new IllegalArgumentException(where + ": a tarball source needs exactly one of `url` and `path`");
    }
    if (hasUrl) {
      return new Tarball(url(map, "url", where, List.of("http", "https")), null, sha256);
    }
    String path = text(map, "path", where);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(where + ": tarball `path` must be absolute, got `" + path + "`");
    }
    return new Tarball(null, path, sha256);
  }

  private static FreebsdRelease freebsdRelease(Map<?, ?> map, String where) {
    String version = text(map, "version", where);
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException(where + ": `version` must look like 14.3-RELEASE, got `" + version + "`");
    }
    List<String> sets = words(map, "sets", where);
    if (sets.isEmpty()) {
      throw new IllegalArgumentException(where + ": `sets` must name at least one set (base)");
    }
    String mirror = url(map, "mirror", where, List.of("http", "https")).toString();
    return new FreebsdRelease(version, word(map, "arch", where), sets,
        mirror.endsWith("/") ? mirror.substring(0, mirror.length() - 1) : mirror);
  }

  private static String text(Map<?, ?> map, String field, String where) {
    if (!(map.get(field) instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException(where + ": source field `" + field + "` must be a non-empty string, got "
          + map.get(field));
    }
    return s;
  }

  private static String word(Map<?, ?> map, String field, String where) {
    String s = text(map, field, where);
    if (!WORD.matcher(s).matches()) {
      throw new IllegalArgumentException(where + ": source field `" + field + "` must be lowercase letters, digits,"
          + " `.`, `+`, `_` and `-`, got `" + s + "`");
    }
    return s;
  }

  private static List<String> words(Map<?, ?> map, String field, String where) {
    Object value = map.get(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(where + ": source field `" + field + "` must be a list, got " + value);
    }
    for (Object e : list) {
      if (!(e instanceof String s) || !WORD.matcher(s).matches()) {
        throw new IllegalArgumentException(where + ": `" + e + "` in `" + field + "` is not a package or set name");
      }
    }
    return list.stream().map(String.class::cast).toList();
  }

  private static URI url(Map<?, ?> map, String field, String where, List<String> schemes) {
    String s = text(map, field, where);
    URI uri;
    try {
      uri = new URI(s);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(where + ": `" + field + "` is not a URL: " + e.getMessage(), e);
    }
    if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || s.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(where + ": `" + field + "` must be a " + String.join("/", schemes)
          + " URL, got `" + s + "`");
    }
    return uri;
  }
}

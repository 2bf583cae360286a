package dev.converge.spec;

import dev.converge.spec.Image.Debootstrap;
import dev.converge.spec.Image.FreebsdRelease;
import dev.converge.spec.Image.Source;
import dev.converge.spec.Image.Tarball;
import dev.converge.spec.Sections.Kind;
import dev.converge.spec.Sections.Named;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Binds {@code images:}: each image has exactly one source (a tarball, debootstrap or FreeBSD release sets). */
final class ImageBinder {

  static final List<String> KEYS = List.of("tarball", "debootstrap", "freebsd-release");
  private static final List<String> TARBALL_KEYS = List.of("url", "sha256");
  private static final List<String> DEBOOTSTRAP_KEYS = List.of("suite", "variant", "mirror", "packages");
  private static final List<String> RELEASE_KEYS = List.of("version", "arch", "sets", "mirror");
  private static final Pattern WEB = Pattern.compile("(?i)https?://.*");
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

  private final Binding b;

  ImageBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Named named : b.sections.named(Kind.IMAGE).values()) {
      MapReader.of(named.value(), "image `" + named.name() + "`", named.at(), b.problems, KEYS)
          .flatMap(ImageBinder::source)
          .ifPresent(source -> b.images.put(named.name(), new Image(named.name(), named.at(), source)));
    }
  }

  private static Optional<Source> source(MapReader r) {
    List<String> given = KEYS.stream().filter(k -> !r.isBlank(k)).toList();
    if (given.isEmpty()) {
      r.missingOneOf(KEYS, "exactly one source for the image");
      return Optional.empty();
    }
    if (given.size() > 1) {
      r.error(given.get(1), "found both `" + given.get(0) + "` and `" + given.get(1) + "`: expected exactly one"
          + " source (tarball, debootstrap or freebsd-release)");
      return Optional.empty();
    }
    return switch (given.get(0)) {
      case "tarball" -> r.child("tarball", TARBALL_KEYS).flatMap(ImageBinder::tarball);
      case "debootstrap" -> r.child("debootstrap", DEBOOTSTRAP_KEYS).flatMap(ImageBinder::debootstrap);
      default -> r.child("freebsd-release", RELEASE_KEYS).flatMap(ImageBinder::release);
    };
  }

  /** A URL (sha256 required) or a path relative to the spec file (sha256 optional). */
  private static Optional<Source> tarball(MapReader r) {
    Optional<String> location = r.require("url", Conversion.text());
    Optional<String> sha256 = r.get("sha256", Conversion.sha256());
    if (location.isEmpty()) {
      return Optional.empty();
    }
    if (WEB.matcher(location.get()).matches()) {
      Optional<String> url = r.get("url", Conversion.url());
      if (!r.has("sha256")) {
        r.missing("sha256", "the SHA-256 of a tarball downloaded from " + location.get());
      }
      return url.map(u -> new Tarball(u, sha256));
    }
    if (SCHEME.matcher(location.get()).matches()) {
      r.error("url", "found `" + location.get() + "`, expected an http:// or https:// URL or a file path");
      return Optional.empty();
    }
    return r.path("url").map(p -> new Tarball(p.toString(), sha256));
  }

  private static Optional<Source> debootstrap(MapReader r) {
    Optional<String> suite = r.require("suite", Conversion.matching("a Debian or Ubuntu suite such as bookworm",
        Pattern.compile("[a-z][a-z0-9.-]{0,31}")));
    String variant = r.get("variant", Conversion.oneOf("minbase", "buildd", "fakechroot"), "minbase");
    Optional<String> mirror = r.get("mirror", Conversion.mirror());
    List<String> packages = r.list("packages", Conversion.packageName()).orElse(List.of());
    return suite.map(s -> new Debootstrap(s, variant, mirror, packages));
  }

  private static Optional<Source> release(MapReader r) {
    Optional<String> version = r.require("version", Conversion.matching("a FreeBSD release such as 14.3-RELEASE",
        Pattern.compile("[0-9]{1,3}\\.[0-9]{1,2}-(RELEASE|STABLE|CURRENT|(ALPHA|BETA|RC)[0-9]{1,2})")));
    String arch = r.get("arch", Conversion.oneOf("amd64", "arm64", "i386", "armv7", "powerpc64", "powerpc64le",
        "riscv64"), "amd64");
    List<String> sets = r.list("sets", Conversion.matching("a distribution set such as base or kernel",
        Pattern.compile("[a-z][a-z0-9-]{0,31}"))).orElse(List.of("base"));
    Optional<String> mirror = r.get("mirror", Conversion.url());
    return version.map(v -> new FreebsdRelease(v, arch, sets, mirror));
  }
}

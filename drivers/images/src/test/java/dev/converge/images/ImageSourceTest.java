package dev.converge.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageSourceTest {

  private static final String SHA = "ab".repeat(32);
  private static final String WHERE = "image/h1:web";

  @Test
  void aTarball_isFetchedByUrl_orReadFromAnAbsolutePath() {
    assertThat(ImageSource.of(Map.of("type", "tarball", "url", "https://example.org/x.tar.gz", "sha256", SHA), WHERE))
        .isEqualTo(new ImageSource.Tarball(URI.create("https://example.org/x.tar.gz"), null, SHA));
    assertThat(ImageSource.of(Map.of("type", "tarball", "path", "/srv/x.tar", "sha256", SHA), WHERE))
        .isEqualTo(new ImageSource.Tarball(null, "/srv/x.tar", SHA));
  }

  @Test
  void aTarball_needsAWellFormedSha256_andExactlyOneOfUrlAndPath() {
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "tarball", "path", "/x", "sha256", "ABC"), WHERE))
        .hasMessage("image/h1:web: `sha256` must be 64 lowercase hex digits, got `ABC`");
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "tarball", "sha256", SHA), WHERE))
        .hasMessage("image/h1:web: a tarball source needs exactly one of `url` and `path`");
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "tarball", "path", "x.tar", "sha256", SHA), WHERE))
        .hasMessage("image/h1:web: tarball `path` must be absolute, got `x.tar`");
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "tarball", "url", "ftp://h/x", "sha256", SHA), WHERE))
        .hasMessage("image/h1:web: `url` must be a http/https URL, got `ftp://h/x`");
  }

  @Test
  void debootstrapArguments_thatCouldBeOptions_areRefused() {
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "debootstrap", "suite", "--foreign", "variant", "minbase",
        "mirror", "http://deb.debian.org/debian"), WHERE))
        .hasMessageContaining("source field `suite` must be lowercase letters");
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "debootstrap", "suite", "bookworm", "variant", "minbase",
        "mirror", "http://deb.debian.org/debian", "packages", List.of("curl", "-x")), WHERE))
        .hasMessage("image/h1:web: `-x` in `packages` is not a package or set name");
    assertThat(ImageSource.of(Map.of("type", "debootstrap", "suite", "bookworm", "variant", "minbase",
        "mirror", "file:///var/cache/mirror", "packages", List.of("busybox")), WHERE))
        .isEqualTo(new ImageSource.Debootstrap("bookworm", "minbase", "file:///var/cache/mirror", List.of("busybox")));
  }

  @Test
  void aFreebsdRelease_namesItsVersionSetsAndMirror() {
    assertThat(ImageSource.of(Map.of("type", "freebsd-release", "version", "14.3-RELEASE", "arch", "amd64",
        "sets", List.of("base"), "mirror", "https://download.freebsd.org/releases/"), WHERE))
        .isEqualTo(new ImageSource.FreebsdRelease("14.3-RELEASE", "amd64", List.of("base"),
            "https://download.freebsd.org/releases"));
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "freebsd-release", "version", "../../x", "arch", "amd64",
        "sets", List.of("base"), "mirror", "https://download.freebsd.org/releases"), WHERE))
        .hasMessageContaining("`version` must look like 14.3-RELEASE");
  }

  @Test
  void anUnknownType_isNamed() {
    assertThatThrownBy(() -> ImageSource.of(Map.of("type", "docker"), WHERE))
        .hasMessage("image/h1:web: source type `docker` is not tarball, debootstrap or freebsd-release");
  }
}

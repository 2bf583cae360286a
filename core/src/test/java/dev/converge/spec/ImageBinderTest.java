package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.spec.Image.Debootstrap;
import dev.converge.spec.Image.FreebsdRelease;
import dev.converge.spec.Image.Tarball;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code images:}: exactly one source per image, each with its own keys. */
class ImageBinderTest {

  private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  @TempDir Path dir;

  private SpecFixture spec(String images) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "images:\n" + images.indent(2));
  }

  @Test
  void eachKindOfSource_isBoundWithItsDefaults() {
    Spec spec = spec("""
        web: { tarball: { url: "https://download.example.org/base.txz", sha256: %s } }
        local: { tarball: { url: images/base.txz } }
        debian: { debootstrap: { suite: bookworm } }
        ubuntu: { debootstrap: { suite: noble, variant: buildd, mirror: "http://archive.ubuntu.com/ubuntu",
                                 packages: [openssh-server] } }
        bsd: { freebsd-release: { version: 14.3-RELEASE } }
        bsd-arm: { freebsd-release: { version: 15.0-RC1, arch: arm64, sets: [base, kernel],
                                      mirror: "https://download.freebsd.org" } }
        """.formatted(SHA.toUpperCase())).spec();
    assertThat(spec.images().get("web").source())
        .isEqualTo(new Tarball("https://download.example.org/base.txz", Optional.of(SHA)));
    assertThat(spec.images().get("local").source())
        .isEqualTo(new Tarball(dir.resolve("images/base.txz").toString(), Optional.empty()));
    assertThat(spec.images().get("debian").source())
        .isEqualTo(new Debootstrap("bookworm", "minbase", Optional.empty(), List.of()));
    assertThat(spec.images().get("ubuntu").source()).isEqualTo(new Debootstrap("noble", "buildd",
        Optional.of("http://archive.ubuntu.com/ubuntu"), List.of("openssh-server")));
    assertThat(spec.images().get("bsd").source())
        .isEqualTo(new FreebsdRelease("14.3-RELEASE", "amd64", List.of("base"), Optional.empty()));
    assertThat(spec.images().get("bsd-arm").source()).isEqualTo(new FreebsdRelease("15.0-RC1", "arm64",
        List.of("base", "kernel"), Optional.of("https://download.freebsd.org")));
  }

  @Test
  void exactlyOneSource() {
    assertThat(spec("""
        none: {}
        two: { tarball: { url: a.txz }, debootstrap: { suite: bookworm } }
        """).problems()).containsExactly(
        "site.yaml:6:3: missing one of `tarball`, `debootstrap`, `freebsd-release` in image `none`: expected"
            + " exactly one source for the image",
        "site.yaml:7:48: `debootstrap` in image `two`: found both `tarball` and `debootstrap`: expected exactly one"
            + " source (tarball, debootstrap or freebsd-release)");
  }

  @Test
  void aDownloadedTarball_needsAValidSha256() {
    assertThat(spec("""
        a: { tarball: { url: "https://example.org/a.txz" } }
        b: { tarball: { url: "https://example.org/b.txz", sha256: abc } }
        c: { tarball: { url: "ftp://example.org/c.txz" } }
        d: { tarball: { url: "https:///nohost", sha256: %s } }
        """.formatted(SHA)).problems()).containsExactly(
        "site.yaml:6:17: missing key `tarball.sha256` in image `a`: expected the SHA-256 of a tarball downloaded"
            + " from https://example.org/a.txz",
        "site.yaml:7:61: `tarball.sha256` in image `b`: found `abc`, expected a SHA-256 digest: 64 hexadecimal"
            + " digits",
        "site.yaml:8:24: `tarball.url` in image `c`: found `ftp://example.org/c.txz`, expected an http:// or"
            + " https:// URL or a file path",
        "site.yaml:9:24: `tarball.url` in image `d`: found `https:///nohost`, expected an http:// or https:// URL");
  }

  @Test
  void releaseAndDebootstrapSettings_areChecked() {
    assertThat(spec("""
        a: { freebsd-release: { version: "14.3", arch: sparc64, sets: [base, "../x"] } }
        b: { debootstrap: { variant: tiny, mirror: deb.debian.org } }
        """).problems()).containsExactly(
        "site.yaml:6:36: `freebsd-release.version` in image `a`: found `14.3`, expected a FreeBSD release such as"
            + " 14.3-RELEASE",
        "site.yaml:6:50: `freebsd-release.arch` in image `a`: found `sparc64`, expected one of amd64, arm64, i386,"
            + " armv7, powerpc64, powerpc64le, riscv64",
        "site.yaml:6:72: `freebsd-release.sets[1]` in image `a`: found `../x`, expected a distribution set such as"
            + " base or kernel",
        "site.yaml:7:21: missing key `debootstrap.suite` in image `b`: expected a Debian or Ubuntu suite such as"
            + " bookworm",
        "site.yaml:7:32: `debootstrap.variant` in image `b`: found `tiny`, expected one of minbase, buildd,"
            + " fakechroot",
        "site.yaml:7:46: `debootstrap.mirror` in image `b`: found `deb.debian.org`, expected an http://,"
            + " https:// or file:/// URL");
  }
}

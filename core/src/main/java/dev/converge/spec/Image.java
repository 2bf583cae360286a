package dev.converge.spec;

import java.util.List;
import java.util.Optional;

/** A root filesystem jails are built from. */
public record Image(String name, Location location, Source source) {

  /** Where an image comes from. */
  public sealed interface Source permits Tarball, Debootstrap, FreebsdRelease {}

  /** A tarball at a URL (sha256 required) or a local path (relative to the spec file). */
  public record Tarball(String url, Optional<String> sha256) implements Source {}

  /** {@code debootstrap --variant=VARIANT SUITE ROOT MIRROR}, plus extra packages. */
  public record Debootstrap(String suite, String variant, Optional<String> mirror, List<String> packages)
      implements Source {
    public Debootstrap {
      packages = List.copyOf(packages);
    }
  }

  /** FreeBSD release sets (base.txz, ...) checked against the release MANIFEST. */
  public record FreebsdRelease(String version, String arch, List<String> sets, Optional<String> mirror)
      implements Source {
    public FreebsdRelease {
      sets = List.copyOf(sets);
    }
  }
}

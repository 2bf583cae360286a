package dev.converge.freebsd.jail;

import dev.converge.driver.Command;
import dev.converge.freebsd.ProbeOutput;
import dev.converge.images.ImageStore;
import java.util.List;
import java.util.Optional;

/**
 * Where a host keeps jail roots, decided once per probe like the image driver does: ZFS when some pool has
 * {@code POOL/converge/images} (the images are snapshots there, and a jail's root is a clone of one), else plain
 * directories (a jail's root is a copy of the image's root).
 */
sealed interface JailStorage {

  /**
   * Prints {@code zfs POOL/converge/images} for every pool that has it; nothing on a host without ZFS. Also the
   * preamble of the probe script.
   */
  String DECIDE = """
      if command -v zpool >/dev/null 2>&1; then
        for p in $(zpool list -H -o name 2>/dev/null); do
          zfs list -H -o name "$p/%s" 2>/dev/null | lines zfs
        done
      fi
      """.formatted(ImageStore.FREEBSD_IMAGE_DATASET);

  /** The decision script alone, for a host the driver has not probed (the destination of a move). */
  static Command decideCommand() {
    return ProbeOutput.script(ProbeOutput.LINES_FUNCTION + DECIDE, List.of());
  }

  /** The storage the {@code zfs} lines of a probe or of {@link #decideCommand} show: the first pool wins. */
  static JailStorage of(ProbeOutput.Section preamble) {
    Optional<String> images = preamble.first("zfs");
    return images.<JailStorage>map(d -> new Zfs(d.substring(0, d.indexOf('/')))).orElse(new Directories());
  }

  /** Jail roots are clones of image snapshots in {@code pool}. */
  record Zfs(String pool) implements JailStorage {

    String dataset(String jail) {
      return pool + "/" + ImageStore.FREEBSD_JAIL_DATASET + "/" + jail;
    }

    String snapshot(String image, String id) {
      return pool + "/" + ImageStore.FREEBSD_IMAGE_DATASET + "/" + image + "/" + id + "@image";
    }

    /** {@code zfs create -p} succeeds when the dataset exists; the parent of jail datasets mounts nowhere. */
    Command createParent() {
      return Command.of("zfs", "create", "-p", "-o", "mountpoint=none", pool + "/" + ImageStore.FREEBSD_JAIL_DATASET);
    }
  }

  /** Jail roots are copies of image roots. */
  record Directories() implements JailStorage {}
}

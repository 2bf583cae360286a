package dev.converge.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where lab hosts keep what they write: {@code /run/converge-lab/PREFIX/hosts/HOST/} holds the upper and work
 * directories of each host's overlays and its {@code /var/lib/jails}. Not the state directory: that may lie inside
 * a directory the hosts overlay (a state directory under /root, say), and overlayfs refuses an upper directory
 * inside its own lower one, or on overlayfs.
 */
final class RuntimeDirectory {

  static final Path ROOT = Path.of("/run/converge-lab");
  /** The machine's directories every lab host sees through a copy-on-write overlay. */
  static final List<String> OVERLAID = List.of("etc", "var", "usr", "opt", "srv", "home", "root");

  private RuntimeDirectory() {}

  /** Fails, saying why, if overlays cannot keep their upper directories under {@code root}. */
  static void check(Path root) {
    Path existing = root;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    try {
      Path real = existing.toRealPath().resolve(existing.relativize(root));
      for (String dir : OVERLAID) {
        if (real.startsWith(Path.of("/", dir))) {
          throw new LabException("the lab keeps its hosts' writable layers in " + root + ", which is " + real
              + " on this machine, inside /" + dir + ": every lab host overlays /" + dir + ", and overlayfs refuses"
              + " an upper directory inside its lower one; expected " + root.getParent() + " outside of /"
              + String.join(", /", OVERLAID));
        }
      }
      String type = Files.getFileStore(existing).type();
      if (type.equals("overlay")) {
        throw new LabException("the lab keeps its hosts' writable layers in " + root + ", which is on overlayfs"
            + " here: overlayfs cannot use an upper directory on overlayfs; expected a tmpfs or disk filesystem"
            + " there (in a container: mount a tmpfs on /run, e.g. docker run --tmpfs /run)");
      }
    } catch (IOException e) {
      throw new LabException("cannot examine " + existing + ": " + e.getMessage(), e);
    }
  }
}

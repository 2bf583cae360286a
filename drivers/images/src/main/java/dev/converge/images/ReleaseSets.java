package dev.converge.images;

import dev.converge.driver.ActionException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FreeBSD release sets: {@code MIRROR/ARCH/VERSION/MANIFEST} names each set's sha256 (tab-separated:
 * {@code base.txz SHA256 FILES base "Base system (MANDATORY)" on}); each set is fetched into the cache only when its
 * sha256 is the one the MANIFEST gives.
 */
final class ReleaseSets {

  private ReleaseSets() {}

  /** The sha256 per file name ({@code base.txz}) of a MANIFEST. */
  static Map<String, String> parseManifest(String manifest) {
    Map<String, String> sha = new TreeMap<>();
    for (String line : manifest.split("\n")) {
      String[] f = line.split("\t");
      if (f.length >= 2 && ImageSource.SHA256.matcher(f[1]).matches()) {
        sha.put(f[0], f[1]);
      }
    }
    return sha;
  }

  /** The sets of {@code release}, verified and cached, in the order the source names them. */
  static List<Path> fetch(DownloadCache cache, ImageSource.FreebsdRelease release, String where)
      throws ActionException {
    String base = release.mirror() + "/" + release.arch() + "/" + release.version() + "/";
    Map<String, String> manifest;
    try {
      manifest = parseManifest(cache.text(URI.create(base + "MANIFEST")));
    } catch (IOException e) {
      throw new ActionException("cannot build " + where + ": fetching " + base + "MANIFEST failed: " + e.getMessage(),
          e);
    }
    List<Path> sets = new ArrayList<>();
    for (String set : release.sets()) {
      String file = set + ".txz";
      String sha256 = manifest.get(file);
      if (sha256 == null) {
        throw new ActionException("cannot build " + where + ": " + base + "MANIFEST lists no " + file + " (it lists "
            + String.join(", ", manifest.keySet()) + ")");
      }
      try {
        sets.add(cache.fetch(URI.create(base + file), sha256));
      } catch (DownloadCache.Mismatch e) {
        throw new ActionException(where + ": the MANIFEST gives sha256 " + sha256 + " for " + file + ", the file has "
            + e.actual() + "; nothing was extracted", e);
      } catch (IOException e) {
        throw new ActionException("cannot build " + where + ": fetching " + base + file + " failed: "
            + e.getMessage(), e);
      }
    }
    return sets;
  }
}

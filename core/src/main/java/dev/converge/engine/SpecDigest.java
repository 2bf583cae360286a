package dev.converge.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 over every spec file (name and bytes, in load order): any edit to any included file changes it. */
public final class SpecDigest {

  private SpecDigest() {}

  public static String of(List<Path> sources) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Path base = sources.isEmpty() ? Path.of("") : sources.get(0).toAbsolutePath().getParent();
      for (Path p : sources) {
        Path abs = p.toAbsolutePath();
        sha.update(base.relativize(abs).toString().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        if (Files.exists(abs)) {
          sha.update(Files.readAllBytes(abs));
        }
        sha.update((byte) 0);
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

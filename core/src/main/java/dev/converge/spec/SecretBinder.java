package dev.converge.spec;

import dev.converge.spec.Sections.Kind;
import dev.converge.spec.Sections.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds {@code secrets:}: references to where each value is kept, a file or an environment variable. Values are
 * never read here; a missing file or an unset variable is only an error when the value is used
 * ({@link Secrets}). A secret file others can read is a warning.
 */
final class SecretBinder {

  static final List<String> KEYS = List.of("file", "env", "generate");
  private static final Conversion<SecretRef.Generated> GENERATED = Conversion.oneOf(SecretRef.Generated.class);
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

  private final Binding b;

  SecretBinder(Binding binding) {
    this.b = binding;
  }

  void bind() {
    for (Named named : b.sections.named(Kind.SECRET).values()) {
      MapReader.of(named.value(), "secret `" + named.name() + "`", named.at(), b.problems, KEYS)
          .flatMap(r -> secret(named, r))
          .ifPresent(secret -> b.secrets.put(named.name(), secret));
    }
  }

  private Optional<SecretRef> secret(Named named, MapReader r) {
    if (r.has("file") == r.has("env")) {
      if (r.has("file")) {
        r.error("env", "found both `file` and `env`: expected exactly one of them");
      } else {
        r.missingOneOf(List.of("file", "env"), "exactly one: `file: PATH` or `env: VARIABLE`");
      }
      return Optional.empty();
    }
    if (r.has("env")) {
      if (r.has("generate")) {
        r.error("generate", "found `generate` with `env`: expected it only with `file`, which it writes");
      }
      return r.get("env", Conversion.environmentVariable())
          .map(v -> new SecretRef(named.name(), named.at(), Optional.empty(), Optional.of(v), Optional.empty()));
    }
    Optional<Path> file = r.path("file");
    Optional<SecretRef.Generated> generate = r.get("generate", GENERATED);
    file.ifPresent(f -> checkMode(named.name(), f, r.get("file", Conversion.text()).orElseThrow(),
        r.location("file")));
    return file.map(f -> new SecretRef(named.name(), named.at(), Optional.of(f), Optional.empty(), generate));
  }

  private void checkMode(String name, Path file, String written, Location at) {
    try {
      if (!Files.isRegularFile(file)) {
        return;
      }
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
        b.problems.warning(at, "secret `" + name + "` file " + written + " is readable by group/others (mode "
            + mode(permissions) + "): chmod 600 it");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // no POSIX permissions to judge (or no access to them): nothing to warn about
    }
  }

  private static String mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", mode);
  }
}

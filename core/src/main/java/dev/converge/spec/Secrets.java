package dev.converge.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values of a spec's secrets, read when first asked for and then kept for the life of this instance (one
 * run). A file's value is its content without trailing line breaks; an environment variable's is its value.
 * Loading a spec never reads a secret, so a spec can be validated where its secrets are not available.
 *
 * <p>Thread-safe. {@link #toString()} names the secrets, never their values.
 */
public final class Secrets {

  /** Secret files are small (keys, passwords, tsig-keygen output); anything larger is a mistake. */
  static final int MAX_SECRET_BYTES = 1 << 20;

  private final Map<String, SecretRef> refs;
  private final Map<String, String> environment;
  private final boolean placeholders;
  private final Map<String, String> values = new ConcurrentHashMap<>();

  private Secrets(Map<String, SecretRef> refs, Map<String, String> environment, boolean placeholders) {
    this.refs = Map.copyOf(refs);
    this.environment = Map.copyOf(environment);
    this.placeholders = placeholders;
  }

  /**
   * @param environment where {@code env:} secrets are looked up (usually {@code System.getenv()})
   */
  public static Secrets of(Spec spec, Map<String, String> environment) {
    return new Secrets(spec.secrets(), environment, false);
  }

  /**
   * Secrets that are never read: every defined secret's value is the text {@code (secret NAME)}. For commands that
   * show the shape of a site ({@code converge graph}) where the secrets may not be available.
   */
  public static Secrets unread(Spec spec) {
    return new Secrets(spec.secrets(), Map.of(), true);
  }

  /**
   * The value of secret {@code name}.
   *
   * @throws SecretException naming the secret and where it is defined, if there is no usable value
   */
  public String value(String name) {
    Objects.requireNonNull(name, "name");
    String cached = values.get(name);
    if (cached != null) {
      return cached;
    }
    SecretRef ref = refs.get(name);
    if (ref == null) {
      throw new SecretException("secret `" + name + "` is not defined in the spec: expected one of "
          + String.join(", ", new java.util.TreeSet<>(refs.keySet())));
    }
    if (placeholders) {
      return "(secret " + name + ")";
    }
    if (ref.generate().isPresent()) {
      generateIfMissing(ref, ref.file().orElseThrow(), ref.generate().get());
    }
    String value = ref.file().isPresent() ? read(ref, ref.file().get()) : lookUp(ref, ref.env().orElseThrow());
    if (value.isEmpty()) {
      throw new SecretException(describe(ref) + " is empty: expected a value");
    }
    values.putIfAbsent(name, value);
    return values.get(name);
  }

  /**
   * Writes a new value to {@code file}, mode 0600 from the start, unless it exists: created under a temporary name
   * and linked into place, so that a concurrent run either sees no file or a whole one, and the first link wins.
   */
  private static void generateIfMissing(SecretRef ref, Path file, SecretRef.Generated kind) {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path temporary = null;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".secret-", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temporary, generated(ref.name(), kind));
      Files.createLink(file, temporary);
    } catch (FileAlreadyExistsException e) {
      // another run generated it first: its value is the one
    } catch (IOException | UnsupportedOperationException e) {
      throw new SecretException(describe(ref) + ": cannot generate file " + file + " (" + e + ")", e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException e) {
          // a leftover dot-file beside the secret; the secret itself is in place
        }
      }
    }
  }

  private static String generated(String name, SecretRef.Generated kind) {
    SecureRandom random = new SecureRandom();
    return switch (kind) {
      case TSIG_KEY -> {
        byte[] key = new byte[32];
        random.nextBytes(key);
        yield "key \"" + name + "\" {\n\talgorithm hmac-sha256;\n\tsecret \""
            + Base64.getEncoder().encodeToString(key) + "\";\n};\n";
      }
      case PASSWORD -> {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 32; i++) {
          password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        yield password + "\n";
      }
    };
  }

  private String lookUp(SecretRef ref, String variable) {
    String value = environment.get(variable);
    if (value == null) {
      throw new SecretException(describe(ref) + ": environment variable " + variable + " is not set");
    }
    return value;
  }

  private static String read(SecretRef ref, Path file) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_SECRET_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new SecretException(describe(ref) + ": file " + file + " does not exist");
    } catch (IOException e) {
      throw new SecretException(describe(ref) + ": cannot read file " + file + " (" + e.getClass().getSimpleName()
          + ")", e);
    }
    if (bytes.length > MAX_SECRET_BYTES) {
      throw new SecretException(describe(ref) + ": file " + file + " is larger than " + MAX_SECRET_BYTES
          + " bytes: expected a key or password file");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SecretException(describe(ref) + ": file " + file + " is not UTF-8 text");
    }
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(0, end);
  }

  private static String describe(SecretRef ref) {
    return "secret `" + ref.name() + "` (" + ref.location() + ")";
  }

  @Override
  public String toString() {
    return "Secrets" + new java.util.TreeSet<>(refs.keySet());
  }
}

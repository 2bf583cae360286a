package dev.converge.files;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.Sensitive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The desired properties of one present file, checked against the driver's contract (see {@link FileDriver}).
 * Every field is optional: an absent field is not managed.
 *
 * @param content the text as the spec gave it: a {@code String} or a {@link Sensitive} wrapping one
 */
record DesiredFile(
    Optional<String> type, Optional<Object> content, Optional<String> mode, Optional<String> owner,
    Optional<String> group) {

  private static final Set<String> FIELDS =
      Set.of(FileDriver.TYPE, FileDriver.CONTENT, FileDriver.MODE, FileDriver.OWNER, FileDriver.GROUP);

  /** User and group names as useradd and pw accept them, or a numeric id. Never `:`, never a leading `-`. */
  private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\\$?");

  /** Reads {@code resource.properties()}, throwing {@link IllegalArgumentException} with a message for the user. */
  static DesiredFile of(Resource resource) {
    Properties p = resource.properties();
    for (String field : p.fields()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            resource.id() + ": unknown property `" + field + "` (expected one of content, group, mode, owner, type)");
      }
    }
    Optional<String> type = text(resource, FileDriver.TYPE);
    type.filter(t -> !t.equals(FileDriver.REGULAR_FILE)).ifPresent(t -> {
      throw new IllegalArgumentException(resource.id() + ": `type` must be \"file\", found \"" + t + "\"");
    });
    Optional<Object> content = p.get(FileDriver.CONTENT);
    content.filter(c -> !(Sensitive.reveal(c) instanceof String)).ifPresent(c -> {
      throw new IllegalArgumentException(resource.id() + ": `content` must be text");
    });
    Optional<String> mode = text(resource, FileDriver.MODE);
    mode.filter(m -> !FileMode.isValid(m)).ifPresent(m -> {
      throw new IllegalArgumentException(
          resource.id() + ": `mode` must be four octal digits like \"0644\", found \"" + m + "\"");
    });
    return new DesiredFile(type, content, mode, account(resource, FileDriver.OWNER),
        account(resource, FileDriver.GROUP));
  }

  /**
   * Checks the resource name: an absolute, normalised path to something below the root, since it travels to
   * commands on the host and names what converge will overwrite or delete.
   */
  static String path(Resource resource) {
    String path = resource.id().name();
    boolean normal = path.startsWith("/") && !path.endsWith("/") && !path.contains("//")
        && !path.contains("/./") && !path.contains("/../") && !path.endsWith("/.") && !path.endsWith("/..");
    if (!normal) {
      throw new IllegalArgumentException(
          resource.id() + ": the path must be absolute and normalised, like /etc/motd, found \"" + path + "\"");
    }
    return path;
  }

  boolean isSensitive() {
    return content.map(c -> c instanceof Sensitive).orElse(false);
  }

  /** The content's bytes (UTF-8) for writing; handle with care when {@link #isSensitive()}. */
  Optional<byte[]> contentBytes() {
    return content.map(c -> ((String) Sensitive.reveal(c)).getBytes(StandardCharsets.UTF_8));
  }

  Optional<String> contentSha256() {
    return contentBytes().map(DesiredFile::sha256);
  }

  Optional<Integer> permissions() {
    return mode.map(FileMode::parse);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static Optional<String> text(Resource resource, String field) {
    Optional<Object> value = resource.properties().get(field);
    if (value.isPresent() && !(value.get() instanceof String)) {
      throw new IllegalArgumentException(resource.id() + ": `" + field + "` must be a string");
    }
    return value.map(String.class::cast);
  }

  private static Optional<String> account(Resource resource, String field) {
    Optional<String> name = text(resource, field);
    name.filter(n -> !ACCOUNT.matcher(n).matches()).ifPresent(n -> {
      throw new IllegalArgumentException(
          resource.id() + ": `" + field + "` must be a user or group name or number, found \"" + n + "\"");
    });
    return name;
  }
}

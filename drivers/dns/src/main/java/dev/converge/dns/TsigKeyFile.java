package dev.converge.dns;

import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TSIG key as {@code tsig-keygen} writes it (and {@code nsupdate -k}, named.conf {@code include} read it):
 * {@code key "NAME" { algorithm hmac-sha256; secret "BASE64"; };}. {@link #toString()} never shows the secret.
 */
public record TsigKeyFile(String name, String algorithm, String secret) {

  private static final Pattern KEY = Pattern.compile(
      "key\\s+\"?([^\"\\s{]+)\"?\\s*\\{\\s*algorithm\\s+\"?([\\w-]+)\"?\\s*;\\s*secret\\s+\"([^\"]+)\"\\s*;\\s*}\\s*;");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");

  public TsigKeyFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(secret, "secret");
  }

  /**
   * Reads the first key of a key file.
   *
   * @param what names the file in errors, e.g. "the key of zone my.domain (secret rndc-key)"
   * @throws IllegalArgumentException saying what is wrong, never quoting the secret
   */
  public static TsigKeyFile parse(String text, String what) {
    Matcher m = KEY.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(what + " is not a TSIG key file: expected tsig-keygen output such as"
          + " key \"NAME\" { algorithm hmac-sha256; secret \"BASE64\"; };");
    }
    String name = m.group(1);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + ": the key name `" + name + "` is not a plain DNS name");
    }
    try {
      Base64.getDecoder().decode(m.group(3));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": the secret of key `" + name + "` is not base64");
    }
    return new TsigKeyFile(name, m.group(2).toLowerCase(Locale.ROOT), m.group(3));
  }

  /** The key as BIND's configuration and {@code nsupdate -k} read it. */
  public String render() {
    return "key \"" + name + "\" {\n\talgorithm " + algorithm + ";\n\tsecret \"" + secret + "\";\n};\n";
  }

  @Override
  public String toString() {
    return "TSIG key " + name + " (" + algorithm + ")";
  }
}

package dev.converge.files;

import java.util.regex.Pattern;

/** The {@code mode} property: exactly four octal digits ({@code "0644"}, {@code "4755"}). */
final class FileMode {

  private static final Pattern FOUR_OCTAL_DIGITS = Pattern.compile("[0-7]{4}");

  private FileMode() {}

  static boolean isValid(String mode) {
    return FOUR_OCTAL_DIGITS.matcher(mode).matches();
  }

  static int parse(String mode) {
    if (!isValid(mode)) {
      throw new IllegalArgumentException("`mode` must be four octal digits like \"0644\", found \"" + mode + "\"");
    }
    return Integer.parseInt(mode, 8);
  }

  static String format(int permissions) {
    return String.format("%04o", permissions & 07777);
  }
}

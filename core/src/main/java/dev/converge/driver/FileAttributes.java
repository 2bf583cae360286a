package dev.converge.driver;

import java.util.Optional;

/** Mode, owner and group for {@link Transport#write}; an empty owner or group leaves the transport user's. */
public record FileAttributes(int mode, Optional<String> owner, Optional<String> group) {

  public FileAttributes {
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(mode));
    }
  }

  public static FileAttributes mode(int mode) {
    return new FileAttributes(mode, Optional.empty(), Optional.empty());
  }

  /** Four-digit octal, as chmod takes it. */
  public String octalMode() {
    return String.format("%04o", mode);
  }
}

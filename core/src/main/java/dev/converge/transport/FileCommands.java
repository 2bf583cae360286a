package dev.converge.transport;

import dev.converge.driver.Command;
import dev.converge.driver.FileAttributes;
import java.time.Duration;
import java.util.List;

/**
 * Reading and atomically replacing a file with one POSIX shell command each, for transports that can only run
 * commands. The scripts are constants: paths, modes, owners and sizes travel only as positional parameters
 * ({@code sh -c SCRIPT sh ARG...}), so no value from a spec is ever parsed as shell.
 *
 * <p>Why commands rather than SFTP: one round trip per file, no dependence on the server's sftp subsystem, and the
 * same commands work unchanged behind any wrapper that runs a command elsewhere (sudo, jexec, a jail). Only POSIX
 * {@code sh}, {@code cat}, {@code mktemp}, {@code wc}, {@code chown}, {@code chgrp}, {@code chmod}, {@code sync} and
 * {@code mv} are used, all present on Linux and FreeBSD. Scripts stay on one line: a csh login shell rejects
 * newlines inside quotes.
 */
public final class FileCommands {

  /** The exit status with which {@link #read} reports that the file does not exist. */
  public static final int MISSING = 44;

  private static final String READ = "[ -e \"$1\" ] || exit " + MISSING + "; exec cat -- \"$1\"";

  /**
   * Temp file beside the target (same file system, so mv is a rename), created 0600 by mktemp under umask 077
   * and named unpredictably; filled from stdin; its size checked, so a connection lost mid-transfer (which ends
   * stdin early) never commits a truncated file; owner, group and mode set before it becomes visible; synced;
   * renamed over the target. The EXIT trap removes the temp file on every failure.
   */
  private static final String WRITE = String.join("; ",
      "set -eu",
      "target=$1 mode=$2 owner=$3 group=$4 size=$5",
      "dir=${target%/*}",
      "[ -n \"$dir\" ] || dir=/",
      "if [ ! -d \"$dir\" ]; then echo \"directory $dir does not exist\" >&2; exit 3; fi",
      "if [ -d \"$target\" ]; then echo \"$target is a directory\" >&2; exit 3; fi",
      "umask 077",
      "tmp=$(mktemp \"$dir/.converge.XXXXXXXXXX\")",
      "trap 'rm -f -- \"$tmp\"' EXIT",
      "cat > \"$tmp\"",
      "got=$(wc -c < \"$tmp\")",
      "got=${got##* }",
      "if [ \"$got\" != \"$size\" ]; then echo \"received $got of $size bytes\" >&2; exit 4; fi",
      "if [ -n \"$owner\" ] && [ -n \"$group\" ]; then chown -- \"$owner:$group\" \"$tmp\";"
          + " elif [ -n \"$owner\" ]; then chown -- \"$owner\" \"$tmp\";"
          + " elif [ -n \"$group\" ]; then chgrp -- \"$group\" \"$tmp\"; fi",
      "chmod \"$mode\" \"$tmp\"",
      "sync \"$tmp\" 2>/dev/null || sync",
      "mv -f -- \"$tmp\" \"$target\"",
      "trap - EXIT");

  private FileCommands() {}

  /** Prints the file to stdout, or exits with {@link #MISSING} if it does not exist (a dangling link included). */
  public static Command read(String path, Duration timeout) {
    return new Command(List.of("sh", "-c", READ, "sh", requireFilePath(path)), null, timeout);
  }

  /** Replaces the file with stdin; fails with a message on stderr if its directory does not exist. */
  public static Command write(String path, byte[] content, FileAttributes attributes, Duration timeout) {
    return new Command(List.of("sh", "-c", WRITE, "sh", requireFilePath(path), attributes.octalMode(),
        attributes.owner().orElse(""), attributes.group().orElse(""), Integer.toString(content.length)), content,
        timeout);
  }

  private static String requireFilePath(String path) {
    if (!path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("not an absolute file path: " + path);
    }
    return path;
  }
}

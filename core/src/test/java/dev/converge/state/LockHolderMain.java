package dev.converge.state;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Another converge, as far as the lock tests are concerned: run in a separate JVM, it opens a state directory.
 *
 * <ul>
 *   <li>{@code hold DIR COMMAND}: opens the store, prints {@code locked}, and holds the lock until its standard
 *       input closes (or it is killed).
 *   <li>{@code try DIR COMMAND}: tries once; prints {@code acquired} and exits 0, or prints the
 *       {@link StateLockedException} message and exits 75.
 * </ul>
 */
public final class LockHolderMain {

  static final int LOCKED_EXIT = 75;

  private LockHolderMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    String command = args[2];
    Duration timeout = mode.equals("hold") ? Duration.ofSeconds(30) : Duration.ZERO;
    try (StateStore store = FileStateStore.open(dir, "example", new LockRequest(timeout, command))) {
      System.out.println(mode.equals("hold") ? "locked" : "acquired");
      System.out.flush();
      if (mode.equals("hold")) {
        while (System.in.read() >= 0) {
          // hold until the test closes our standard input
        }
      }
    } catch (StateLockedException e) {
      System.out.println(e.getMessage());
      System.exit(LOCKED_EXIT);
    }
  }
}

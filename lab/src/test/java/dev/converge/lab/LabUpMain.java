package dev.converge.lab;

import dev.converge.spec.SpecLoader;
import java.nio.file.Path;

/** {@code lab up} in a JVM of its own, so that a test can SIGKILL it in the middle. Arguments: SPEC STATE_DIR. */
public final class LabUpMain {

  private LabUpMain() {}

  public static void main(String[] args) throws Exception {
    Lab.of(SpecLoader.builder().build().load(Path.of(args[0])).spec(), Path.of(args[1])).up(System.out::println);
  }
}

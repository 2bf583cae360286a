package dev.converge.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A spec that cannot be used: every error found (all of them, not just the first), in reading order. */
public class SpecException extends Exception {

  private final List<Problem> problems;

  public SpecException(List<Problem> problems) {
    super(problems.stream().sorted().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = problems.stream().sorted().toList();
  }

  public List<Problem> problems() {
    return problems;
  }
}

package dev.converge.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every problem found while loading one spec. The same problem reported twice (a value inherited from
 * {@code defaults} by every host, say) is kept once.
 */
final class Problems {

  private final Set<Problem> problems = new LinkedHashSet<>();
  private boolean hasErrors;

  void error(Location at, String message) {
    problems.add(Problem.error(at, message));
    hasErrors = true;
  }

  void warning(Location at, String message) {
    problems.add(Problem.warning(at, message));
  }

  boolean hasErrors() {
    return hasErrors;
  }

  int size() {
    return problems.size();
  }

  /** Every problem, errors and warnings, sorted by location. */
  List<Problem> all() {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(null);
    return sorted;
  }

  List<Problem> warnings() {
    return all().stream().filter(p -> p.severity() == Problem.Severity.WARNING).toList();
  }
}

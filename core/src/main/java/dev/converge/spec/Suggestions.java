package dev.converge.spec;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for misspelt keys, names and values (in a spec, and on the command line). */
public final class Suggestions {

  private static final int MAX_DISTANCE = 2;

  private Suggestions() {}

  /**
   * The candidate closest to {@code typed}: the same word in another case, one within an edit distance of 2
   * (insertions, deletions, substitutions, transpositions) and less than the length of {@code typed}, or one that
   * {@code typed} is a prefix of. Ties go to the alphabetically first candidate, so the suggestion is stable.
   */
  public static Optional<String> closest(String typed, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(typed)) {
        continue;
      }
      int d = candidate.equalsIgnoreCase(typed) ? 0 : distance(typed, candidate);
      boolean close = d == 0 || (d <= MAX_DISTANCE && d < typed.length());
      boolean prefix = typed.length() >= 2 && candidate.startsWith(typed);
      if (!close && !prefix) {
        continue;
      }
      int rank = close ? d : MAX_DISTANCE + 1;
      if (rank < bestDistance || (rank == bestDistance && candidate.compareTo(best) < 0)) {
        best = candidate;
        bestDistance = rank;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code " — did you mean `x`?"}, or nothing when no candidate is close. */
  public static String didYouMean(String typed, Collection<String> candidates) {
    return closest(typed, candidates).map(c -> " — did you mean `" + c + "`?").orElse("");
  }

  /** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring). */
  static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > MAX_DISTANCE) {
      return Math.abs(a.length() - b.length());
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }
}

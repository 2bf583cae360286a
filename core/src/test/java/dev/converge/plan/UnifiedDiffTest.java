package dev.converge.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class UnifiedDiffTest {

  @Test
  void oneChangedLineShowsThreeLinesOfContextEachSide() {
    String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    String after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
    assertThat(UnifiedDiff.between(before, after))
        .containsExactly("@@ -2,7 +2,7 @@", " 2", " 3", " 4", "-5", "+five", " 6", " 7", " 8");
  }

  @Test
  void distantChangesMakeSeparateHunks() {
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      a.append(i).append('\n');
      b.append(i == 2 ? "two" : i == 19 ? "nineteen" : String.valueOf(i)).append('\n');
    }
    String before = a.toString();
    String after = b.toString();
    List<String> diff = UnifiedDiff.between(before, after);
    assertThat(diff).filteredOn(l -> l.startsWith("@@")).containsExactly("@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@");
  }

  @Test
  void addingToAnEmptyFileIsOneHunkOfAdditions() {
    assertThat(UnifiedDiff.between("", "a\nb\n")).containsExactly("@@ -0,0 +1,2 @@", "+a", "+b");
  }

  @Test
  void identicalTextHasNoHunks() {
    assertThat(UnifiedDiff.between("a\nb\n", "a\nb\n")).isEmpty();
  }

  @Test
  void aMissingFinalNewlineIsReported() {
    assertThat(UnifiedDiff.between("a\n", "a")).contains("\\ No newline at end of file");
  }

  @RepeatedTest(200)
  void theEditScriptTurnsBeforeIntoAfter(RepetitionInfo info) {
    long seed = 0x5eed + info.getCurrentRepetition();
    Random random = new Random(seed);
    List<String> a = randomLines(random);
    List<String> b = mutate(random, a);
    List<UnifiedDiff.Edit> script = UnifiedDiff.edits(a, b);
    List<String> rebuiltOld = new ArrayList<>();
    List<String> rebuiltNew = new ArrayList<>();
    for (UnifiedDiff.Edit e : script) {
      if (e.op() != '+') {
        rebuiltOld.add(e.line());
      }
      if (e.op() != '-') {
        rebuiltNew.add(e.line());
      }
    }
    assertThat(rebuiltOld).as("seed %d", seed).isEqualTo(a);
    assertThat(rebuiltNew).as("seed %d", seed).isEqualTo(b);
    long kept = script.stream().filter(e -> e.op() == ' ').count();
    assertThat(kept).as("seed %d: Myers keeps a longest common subsequence", seed).isEqualTo(lcs(a, b));
  }

  private static List<String> randomLines(Random r) {
    List<String> out = new ArrayList<>();
    int n = r.nextInt(30);
    for (int i = 0; i < n; i++) {
      out.add(String.valueOf((char) ('a' + r.nextInt(4))));
    }
    return out;
  }

  private static List<String> mutate(Random r, List<String> a) {
    List<String> b = new ArrayList<>(a);
    int edits = r.nextInt(8);
    for (int i = 0; i < edits; i++) {
      int op = r.nextInt(3);
      if (op == 0 || b.isEmpty()) {
        b.add(r.nextInt(b.size() + 1), String.valueOf((char) ('a' + r.nextInt(5))));
      } else if (op == 1) {
        b.remove(r.nextInt(b.size()));
      } else {
        b.set(r.nextInt(b.size()), String.valueOf((char) ('a' + r.nextInt(5))));
      }
    }
    return b;
  }

  private static int lcs(List<String> a, List<String> b) {
    int[][] t = new int[a.size() + 1][b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        t[i][j] = a.get(i - 1).equals(b.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
      }
    }
    return t[a.size()][b.size()];
  }
}

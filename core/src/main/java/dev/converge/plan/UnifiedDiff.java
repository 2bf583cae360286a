package dev.converge.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Line diffs in unified format (as {@code diff -u} prints them, without the file header), computed with Myers'
 * O(ND) algorithm so that a one-line change in a large file costs little.
 */
public final class UnifiedDiff {

  private static final int CONTEXT = 3;

  private UnifiedDiff() {}

  /** One line of an edit script: {@code ' '} kept, {@code '-'} removed, {@code '+'} added. */
  record Edit(char op, String line, int oldLine, int newLine) {}

  /** The hunks ({@code @@ -a,b +c,d @@} and their lines) turning {@code before} into {@code after}. */
  public static List<String> between(String before, String after) {
    List<Edit> script = edits(lines(before), lines(after));
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < script.size()) {
      if (script.get(i).op() == ' ') {
        i++;
        continue;
      }
      int start = Math.max(0, i - CONTEXT);
      int end = i;
      int lastChange = i;
      while (end < script.size()) {
        if (script.get(end).op() != ' ') {
          lastChange = end;
        } else if (end - lastChange > 2 * CONTEXT) {
          break;
        }
        end++;
      }
      end = Math.min(script.size(), lastChange + CONTEXT + 1);
      out.add(header(script.subList(start, end)));
      for (Edit e : script.subList(start, end)) {
        out.add(e.op() + e.line());
      }
      i = end;
    }
    if (!before.isEmpty() && !after.isEmpty() && before.endsWith("\n") != after.endsWith("\n")) {
      out.add("\\ No newline at end of file");
    }
    return out;
  }

  private static String header(List<Edit> hunk) {
    int oldStart = 0;
    int newStart = 0;
    int oldCount = 0;
    int newCount = 0;
    for (Edit e : hunk) {
      if (e.op() != '+') {
        if (oldCount++ == 0) {
          oldStart = e.oldLine();
        }
      }
      if (e.op() != '-') {
        if (newCount++ == 0) {
          newStart = e.newLine();
        }
      }
    }
    if (oldCount == 0) {
      oldStart = hunk.get(0).oldLine() - 1;
    }
    if (newCount == 0) {
      newStart = hunk.get(0).newLine() - 1;
    }
    return "@@ -" + range(oldStart, oldCount) + " +" + range(newStart, newCount) + " @@";
  }

  private static String range(int start, int count) {
    return count == 1 ? String.valueOf(start) : start + "," + count;
  }

  static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(from, i));
        from = i + 1;
      }
    }
    if (from < text.length()) {
      out.add(text.substring(from));
    }
    return out;
  }

  /** Above this many differing lines the edit script is "remove all, add all": Myers' trace grows with D². */
  private static final int MAX_EDIT_DISTANCE = 2000;

  /** Myers' greedy shortest edit script, with line numbers (1-based) for hunk headers. */
  static List<Edit> edits(List<String> a, List<String> b) {
    int n = a.size();
    int m = b.size();
    int max = Math.min(n + m, MAX_EDIT_DISTANCE);
    int offset = max + 1;
    int[] v = new int[2 * max + 3];
    // trace.get(d) holds v[-d-1 .. d+1] as it was when round d started: O(D²) memory, not O(D·(N+M)).
    List<int[]> trace = new ArrayList<>();
    boolean found = false;
    outer:
    for (int d = 0; d <= max; d++) {
      trace.add(java.util.Arrays.copyOfRange(v, offset - d - 1, offset + d + 2));
      for (int k = -d; k <= d; k += 2) {
        int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a.get(x).equals(b.get(y))) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          found = true;
          break outer;
        }
      }
    }
    if (!found) {
      return replaceAll(a, b);
    }
    List<Edit> script = new ArrayList<>();
    int x = n;
    int y = m;
    for (int d = trace.size() - 1; d >= 0 && (x > 0 || y > 0); d--) {
      int[] vd = trace.get(d);
      int base = d + 1;
      int k = x - y;
      int prevK = (k == -d || (k != d && vd[base + k - 1] < vd[base + k + 1])) ? k + 1 : k - 1;
      int prevX = d == 0 ? 0 : vd[base + prevK];
      int prevY = prevX - prevK;
      while (x > prevX && y > prevY) {
        script.add(new Edit(' ', a.get(x - 1), x, y));
        x--;
        y--;
      }
      if (d > 0) {
        if (x == prevX) {
          script.add(new Edit('+', b.get(y - 1), x + 1, y));
        } else {
          script.add(new Edit('-', a.get(x - 1), x, y + 1));
        }
      }
      x = prevX;
      y = prevY;
    }
    java.util.Collections.reverse(script);
    return script;
  }

  private static List<Edit> replaceAll(List<String> a, List<String> b) {
    List<Edit> script = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      script.add(new Edit('-', a.get(i), i + 1, 1));
    }
    for (int j = 0; j < b.size(); j++) {
      script.add(new Edit('+', b.get(j), a.size() + 1, j + 1));
    }
    return script;
  }
}

package dev.converge.linux;

import java.util.HashSet;
import java.util.Set;

/**
 * dpkg's view of packages, as {@code dpkg-query -W -f FORMAT} prints it: {@code PACKAGE TAB PACKAGE:ARCH TAB
 * WANT OK STATUS}, one line per installed or known architecture of each package asked about.
 */
final class DpkgStatus {

  static final String FORMAT = "${Package}\\t${binary:Package}\\t${Status}\\n";

  private DpkgStatus() {}

  /**
   * The packages that are installed, by plain name and by {@code name:arch}: dpkg status {@code installed}
   * (dpkg-query(1)), whatever the selection ({@code install}, {@code hold}).
   */
  static Set<String> installed(String output) {
    Set<String> installed = new HashSet<>();
    for (String line : output.lines().toList()) {
      String[] f = line.split("\t", -1);
      String[] status = f.length == 3 ? f[2].trim().split(" ") : new String[0];
      if (status.length != 3) {
        throw new IllegalStateException("unexpected dpkg-query line `" + line + "`");
      }
      if (status[2].equals("installed")) {
        installed.add(f[0]);
        installed.add(f[1]);
      }
    }
    return installed;
  }
}

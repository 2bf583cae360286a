package dev.converge.freebsd;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pkg.conf(5) repository file converge writes for one repository: UCL, {@code NAME: { url: "URL", enabled: yes }}
 * in {@code /usr/local/etc/pkg/repos/converge-NAME.conf}, which pkg reads after the base repositories.
 */
record RepositoryConf(String name, String url) {

  static final String DIRECTORY = "/usr/local/etc/pkg/repos";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  /** A URL fits a UCL double-quoted string without escapes; {@code ${ABI}} stays, as pkg expands it. */
  private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^\\s\"\\\\]+");
  private static final Pattern URL_LINE = Pattern.compile("\\burl\\s*[:=]\\s*\"([^\"]*)\"");

  static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  static boolean isValidUrl(String url) {
    return URL.matcher(url).matches();
  }

  static String path(String name) {
    return DIRECTORY + "/converge-" + name + ".conf";
  }

  String path() {
    return path(name);
  }

  String text() {
    return "# Written by converge (package-repository " + name + "); changes here are overwritten.\n"
        + name + ": { url: \"" + url + "\", enabled: yes }\n";
  }

  /** The url of a file converge wrote, or the url it holds marked as edited, or a mark alone. */
  static String observedSource(String name, String text) {
    Matcher m = URL_LINE.matcher(text);
    Optional<String> url = m.find() ? Optional.of(m.group(1)) : Optional.empty();
    if (url.isPresent() && new RepositoryConf(name, url.get()).text().equals(text)) {
      return url.get();
    }
    return url.map(u -> u + " (file edited by hand)").orElse("(file without a url)");
  }
}

package dev.converge.spec;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the raw text of a YAML scalar into a typed value, or says what was expected. One conversion per kind of
 * value the spec format has (names, addresses, durations, paths, ...), so that every key of the same kind accepts
 * exactly the same text and explains a refusal the same way.
 *
 * @param <T> the value produced
 */
final class Conversion<T> {

  private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,14}");
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9_-]{1,63}");
  private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern ALL_DIGITS = Pattern.compile("[0-9]+");
  private static final Pattern PREFIX_LENGTH = Pattern.compile("[0-9]{1,3}");
  private static final Pattern OCTAL_MODE = Pattern.compile("0?[0-7]{1,4}");
  private static final Pattern SHA256 = Pattern.compile("[0-9A-Fa-f]{64}");
  private static final Pattern ENVIRONMENT_VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,127}");
  private static final Pattern SYSCTL = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,127}");
  private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");

  private final String expected;
  private final Function<String, T> function;

  private Conversion(String expected, Function<String, T> function) {
    this.expected = expected;
    this.function = function;
  }

  /** What the value should look like, completing "expected ...": {@code an integer 1-65535}. */
  String expected() {
    return expected;
  }

  /**
   * Converts {@code text}.
   *
   * @throws Invalid saying what was found and what was expected
   */
  T convert(String text) {
    T value = function.apply(text);
    if (value == null) {
      throw new Invalid("found " + shown(text) + ", expected " + expected);
    }
    return value;
  }

  /** A refused value. {@link #detail()} completes "`key` in host `x`: ...". */
  static final class Invalid extends RuntimeException {
    Invalid(String detail) {
      super(detail, null, false, false);
    }

    String detail() {
      return getMessage();
    }
  }

  /**
   * A conversion from a description and a function that returns null to refuse with the standard message
   * ({@code found `text`, expected ...}), or throws {@link Invalid} with a message of its own.
   */
  static <T> Conversion<T> of(String expected, Function<String, T> function) {
    return new Conversion<>(expected, function);
  }

  /** A conversion that accepts the texts that {@code pattern} matches whole. */
  static Conversion<String> matching(String expected, Pattern pattern) {
    return of(expected, text -> pattern.matcher(text).matches() ? text : null);
  }

  static String shown(String text) {
    return Node.ScalarNode.of(text, Node.ScalarKind.STRING, Location.unknown()).describe();
  }

  // ------ text and numbers ------

  static Conversion<String> text() {
    return of("a string", text -> text);
  }

  static Conversion<Boolean> bool() {
    return of("true or false", text -> switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> null;
    });
  }

  static Conversion<Long> integer(long min, long max) {
    return of("an integer " + min + "-" + max, text -> {
      if (!DIGITS.matcher(text).matches()) {
        return null;
      }
      long value = Long.parseLong(text);
      return value >= min && value <= max ? value : null;
    });
  }

  static Conversion<Integer> integer(int min, int max) {
    Conversion<Long> wide = integer((long) min, (long) max);
    return of(wide.expected(), text -> wide.convert(text).intValue());
  }

  /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, or a whole number of seconds; more than zero. */
  static Conversion<Duration> duration() {
    return of("a duration such as 500ms, 10s, 5m or 1h (or a number of seconds), more than zero", text -> {
      Matcher m = DURATION.matcher(text);
      if (!m.matches()) {
        return null;
      }
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
      return d.isZero() ? null : d;
    });
  }

  /** One of a fixed set of words, with a suggestion for a near miss. */
  static Conversion<String> oneOf(String... words) {
    return choice(List.of(words), word -> word);
  }

  /** An enum constant, written in lower case with {@code -} for {@code _}: {@code ACCEPT_NEW} is accept-new. */
  static <E extends Enum<E>> Conversion<E> oneOf(Class<E> type) {
    List<String> words = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      words.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return choice(words, word -> Enum.valueOf(type, word.toUpperCase(Locale.ROOT).replace('-', '_')));
  }

  private static <T> Conversion<T> choice(List<String> words, Function<String, T> value) {
    String expected = "one of " + String.join(", ", words);
    return of(expected, text -> {
      if (!words.contains(text)) {
        throw new Invalid("found " + shown(text) + ", expected " + expected + Suggestions.didYouMean(text, words));
      }
      return value.apply(text);
    });
  }

  // ------ names ------

  /** Names that end up in file names, interface names and command arguments. */
  static Conversion<String> identifier() {
    return matching("a name of letters, digits, `_` and `-` that starts with a letter or digit (at most 63"
        + " characters)", IDENTIFIER);
  }

  /** At most 15 characters (IFNAMSIZ). */
  static Conversion<String> interfaceName() {
    return matching("an interface name: a letter, then letters, digits, `_`, `.` or `-` (at most 15 characters)",
        INTERFACE);
  }

  static Conversion<String> userName() {
    return matching("a user name: lower-case letters, digits, `_` and `-`, starting with a letter or `_` (at most"
        + " 32 characters)", USER);
  }

  /** A DNS name, lower-cased, without a trailing dot. */
  static Conversion<String> dnsName() {
    return of("a DNS name: labels of letters, digits, `_` and `-` separated by dots (at most 63 characters each,"
        + " 253 in all)", text -> {
          String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
          if (name.isEmpty() || name.length() > 253) {
            return null;
          }
          for (String l : name.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(l).matches()) {
              return null;
            }
          }
          return name.toLowerCase(Locale.ROOT);
        });
  }

  /**
   * A host name to connect to: an IP literal (returned in canonical form) or a DNS host name whose last label is
   * not all digits (so that a mistyped IPv4 address is not taken for a name).
   */
  static Conversion<String> address() {
    return of("an IP address or a DNS name", text -> {
      if (InetAddresses.isInetAddress(text)) {
        return InetAddresses.toAddrString(InetAddresses.forString(text));
      }
      String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
      String[] labels = name.split("\\.", -1);
      if (name.isEmpty() || name.length() > 253 || ALL_DIGITS.matcher(labels[labels.length - 1]).matches()) {
        return null;
      }
      for (String l : labels) {
        if (!HOST_LABEL.matcher(l).matches()) {
          return null;
        }
      }
      return name;
    });
  }

  // ------ addresses ------

  static Conversion<InetAddress> ipv4() {
    return of("an IPv4 address such as 192.0.2.1",
        text -> InetAddresses.isInetAddress(text) && InetAddresses.forString(text) instanceof Inet4Address a
            ? a : null);
  }

  static Conversion<InetAddress> ipv6() {
    return of("an IPv6 address such as 2001:db8::1",
        text -> InetAddresses.isInetAddress(text) && InetAddresses.forString(text) instanceof Inet6Address a
            ? a : null);
  }

  /** A prefix in normalised form: {@code 10.0.0.1/24} is refused, naming {@code 10.0.0.0/24}. */
  static Conversion<Cidr> cidr() {
    String expected = "a CIDR such as 10.0.0.0/24";
    return of(expected, text -> {
      int slash = text.indexOf('/');
      String prefix = slash < 0 ? "" : text.substring(slash + 1);
      if (slash < 0 || !InetAddresses.isInetAddress(text.substring(0, slash))
          || !PREFIX_LENGTH.matcher(prefix).matches()) {
        throw new Invalid("found " + shown(text) + ", expected " + expected);
      }
      InetAddress network = InetAddresses.forString(text.substring(0, slash));
      int bits = Cidr.bits(network);
      int length = Integer.parseInt(prefix);
      if (length > bits) {
        throw new Invalid("found " + shown(text) + ", expected a prefix length 0-" + bits);
      }
      Cidr normal = normalised(network, length);
      if (!normal.network().equals(network)) {
        throw new Invalid("found " + shown(text) + ", which has host bits set: expected the network address `"
            + normal + "`");
      }
      return normal;
    });
  }

  /** A single address written as a prefix ({@code /32} or {@code /128}), or a bare address. */
  static Conversion<Cidr> hostCidr() {
    String expected = "a single address such as 10.0.0.1/32 (or /128 for IPv6)";
    return of(expected, text -> {
      int slash = text.indexOf('/');
      String address = slash < 0 ? text : text.substring(0, slash);
      if (!InetAddresses.isInetAddress(address)) {
        return null;
      }
      InetAddress a = InetAddresses.forString(address);
      if (slash >= 0 && !text.substring(slash + 1).equals(String.valueOf(Cidr.bits(a)))) {
        throw new Invalid("found " + shown(text) + ", expected " + expected);
      }
      return Cidr.host(a);
    });
  }

  private static Cidr normalised(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] = (byte) (b[i] & (0xff << (8 - keep)));
    }
    return new Cidr(addressOf(b), prefix);
  }

  private static InetAddress addressOf(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("address of " + bytes.length + " bytes", e);
    }
  }

  // ------ paths, files, URLs ------

  /** An absolute path in normal form: no {@code .} or {@code ..} segment, no {@code //}, no trailing slash. */
  static Conversion<String> absolutePath() {
    return of("an absolute, normalised path (starting with `/`, without `.` or `..` segments, `//` or a trailing"
        + " `/`)", text -> {
          if (!text.startsWith("/") || hasControl(text) || (text.length() > 1 && text.endsWith("/"))
              || text.contains("//")) {
            return null;
          }
          for (String segment : text.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
              return null;
            }
          }
          return text;
        });
  }

  /**
   * A file on the machine converge runs on: {@code ~} is the user's home, a relative path is taken from
   * {@code base} (the directory of the spec file it is written in).
   */
  static Conversion<Path> localPath(Path base) {
    return of("a file path", text -> {
      if (text.isEmpty() || hasControl(text)) {
        return null;
      }
      String home = System.getProperty("user.home");
      if (text.equals("~")) {
        return Path.of(home);
      }
      if (text.startsWith("~/")) {
        return Path.of(home).resolve(text.substring(2)).normalize();
      }
      return base.resolve(text).toAbsolutePath().normalize();
    });
  }

  /** Permission bits as octal text: {@code 0644}, {@code 644}, at most {@code 07777}. */
  static Conversion<Integer> octalMode() {
    return of("an octal mode such as 0644 (at most 07777)", text -> {
      if (!OCTAL_MODE.matcher(text).matches()) {
        return null;
      }
      int mode = Integer.parseInt(text, 8);
      return mode <= 07777 ? mode : null;
    });
  }

  static Conversion<String> sha256() {
    return of("a SHA-256 digest: 64 hexadecimal digits",
        text -> SHA256.matcher(text).matches() ? text.toLowerCase(Locale.ROOT) : null);
  }

  /** An http or https URL with a host. */
  static Conversion<String> url() {
    return of("an http:// or https:// URL", text -> {
      try {
        URI uri = new URI(text);
        boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        return web && uri.getHost() != null ? text : null;
      } catch (URISyntaxException e) {
        return null;
      }
    });
  }

  /** A package mirror: a web URL, or a {@code file:///} directory on the host that uses it. */
  static Conversion<String> mirror() {
    return of("an http://, https:// or file:/// URL", text -> {
      try {
        URI uri = new URI(text);
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        boolean web = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        boolean file = scheme.equals("file") && uri.getHost() == null && uri.getPath() != null
            && uri.getPath().startsWith("/");
        return web || file ? text : null;
      } catch (URISyntaxException e) {
        return null;
      }
    });
  }

  static Conversion<String> environmentVariable() {
    return matching("an environment variable name such as OSPF_KEY", ENVIRONMENT_VARIABLE);
  }

  /** A sysctl name such as {@code net.ipv4.ip_forward} or {@code kern.ipc.somaxconn}. */
  static Conversion<String> sysctlName() {
    return matching("a sysctl name such as net.ipv4.ip_forward: letters, digits and `._-`, starting with a letter",
        SYSCTL);
  }

  /** A service name such as {@code frr}, {@code bind9} or {@code getty@tty1}; never starting with {@code -}. */
  static Conversion<String> serviceName() {
    return matching("a service name: letters, digits and `._@-`, starting with a letter or digit", SERVICE);
  }

  /** Text on one line (a sysctl value, a repository line): no line breaks or other control characters. */
  static Conversion<String> line() {
    return of("text on one line", text -> text.isEmpty() || hasControl(text) ? null : text);
  }

  /** A package name; never starting with {@code -}, so it can not turn into an option of the package tool. */
  static Conversion<String> packageName() {
    return matching("a package name: letters, digits and `._+:@/-`, starting with a letter or digit",
        PACKAGE);
  }

  private static boolean hasControl(String text) {
    return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}

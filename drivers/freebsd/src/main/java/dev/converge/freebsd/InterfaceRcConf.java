package dev.converge.freebsd;

import dev.converge.spec.Cidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What rc.conf says about one interface, read from {@code sysrc -a} lines ({@code name: value}): whether
 * {@code cloned_interfaces} lists it, its {@code ifconfig_IF} value and its {@code ifconfig_IF_aliasN} values by N
 * (driver-facts §1). {@code ifconfig_IF_aliases} ranges are not read: converge never writes them.
 */
record InterfaceRcConf(String name, boolean cloned, Optional<String> main, SortedMap<Integer, String> aliases) {

  static final String CLONED = "cloned_interfaces";

  InterfaceRcConf {
    aliases = new TreeMap<>(aliases);
  }

  /** rc.conf's name for the interface's variable: network.subr turns {@code .-/+} into {@code _}. */
  static String variable(String ifname) {
    return "ifconfig_" + ifname.replaceAll("[.\\-/+]", "_");
  }

  static InterfaceRcConf of(String ifname, List<String> sysrcLines) {
    String var = variable(ifname);
    Pattern alias = Pattern.compile(Pattern.quote(var) + "_alias([0-9]{1,4})");
    boolean cloned = false;
    Optional<String> main = Optional.empty();
    SortedMap<Integer, String> aliases = new TreeMap<>();
    for (String line : sysrcLines) {
      int colon = line.indexOf(": ");
      String key = colon < 0 ? line.replaceFirst(":$", "") : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 2).strip();
      Matcher m = alias.matcher(key);
      if (key.equals(CLONED)) {
        // "lo1:sticky" keeps lo1 across `service netif stop`
        cloned = Arrays.stream(value.split("\\s+")).map(w -> w.replaceFirst(":.*", "")).anyMatch(ifname::equals);
      } else if (key.equals(var)) {
        main = Optional.of(value);
      } else if (m.matches()) {
        aliases.put(Integer.parseInt(m.group(1)), value);
      }
    }
    return new InterfaceRcConf(ifname, cloned, main, aliases);
  }

  /** Every IPv4 address the interface gets at boot, from its own variable and then its aliases. */
  List<InterfaceAddress> addresses() {
    List<InterfaceAddress> out = new ArrayList<>();
    main.ifPresent(v -> clauses(v).forEach(c -> out.add(c.address())));
    aliases.values().forEach(v -> clauses(v).forEach(c -> out.add(c.address())));
    return out;
  }

  /** The rc.conf variables {@link #edit} sets (name to value) and those it removes. */
  record Edit(SortedMap<String, String> set, List<String> unset) {
    Edit {
      set = new TreeMap<>(set);
      unset = List.copyOf(unset);
    }

    boolean isEmpty() {
      return set.isEmpty() && unset.isEmpty();
    }
  }

  /**
   * The edit that makes boot give the interface exactly {@code wanted} among the addresses inside {@code managed}:
   * managed addresses no longer wanted leave its variable and its aliases, missing ones are appended as aliases
   * ({@code inet A/N}, so that boot adds rather than replaces, driver-facts §1), and the aliases are renumbered
   * from 0 without gaps. Every other value stays as it is.
   */
  Edit edit(Collection<InterfaceAddress> wanted, Collection<Cidr> managed) {
    return edit(wanted, managed, a -> Optional.empty());
  }

  /**
   * As {@link #edit(Collection, Collection)}, with the destination a point-to-point interface needs after each new
   * address ({@code inet A/N B}).
   */
  Edit edit(Collection<InterfaceAddress> wanted, Collection<Cidr> managed,
      Function<InterfaceAddress, Optional<String>> destination) {
    String var = variable(name);
    SortedMap<String, String> set = new TreeMap<>();
    List<InterfaceAddress> kept = new ArrayList<>();
    if (main.isPresent()) {
      String after = without(main.get(), wanted, managed, kept);
      if (!after.equals(main.get())) {
        set.put(var, after.isEmpty() ? "up" : after);
      }
    }
    List<String> values = new ArrayList<>();
    for (String value : aliases.values()) {
      List<InterfaceAddress> mine = new ArrayList<>();
      if (without(value, wanted, managed, mine).equals(value)) {
        values.add(value);
        kept.addAll(mine);
      }
    }
    wanted.stream().filter(a -> !kept.contains(a)).sorted((a, b) -> a.toString().compareTo(b.toString()))
        .forEach(a -> values.add("inet " + a + destination.apply(a).map(d -> " " + d).orElse("")));
    List<String> unset = new ArrayList<>();
    int index = 0;
    for (String value : values) {
      if (!value.equals(aliases.get(index))) {
        set.put(var + "_alias" + index, value);
      }
      index++;
    }
    for (Map.Entry<Integer, String> e : aliases.entrySet()) {
      if (e.getKey() >= values.size()) {
        unset.add(var + "_alias" + e.getKey());
      }
    }
    return new Edit(set, unset);
  }

  /** Every variable of the interface, for removing a cloned interface converge created. */
  List<String> variables() {
    List<String> out = new ArrayList<>();
    main.ifPresent(m -> out.add(variable(name)));
    aliases.keySet().forEach(n -> out.add(variable(name) + "_alias" + n));
    return out;
  }

  /**
   * {@code value} without the inet clauses of managed addresses that are not wanted; the wanted managed ones it
   * keeps are added to {@code kept}.
   */
  private static String without(String value, Collection<InterfaceAddress> wanted, Collection<Cidr> managed,
      List<InterfaceAddress> kept) {
    List<String> words = new ArrayList<>(words(value));
    List<Clause> clauses = clauses(value);
    boolean removed = false;
    for (int i = clauses.size() - 1; i >= 0; i--) {
      Clause c = clauses.get(i);
      if (!c.address().within(managed)) {
        continue;
      }
      if (wanted.contains(c.address())) {
        kept.add(c.address());
      } else {
        words.subList(c.from(), c.to()).clear();
        removed = true;
      }
    }
    return removed ? String.join(" ", words) : value;
  }

  /** One IPv4 address of a value, and the words it spans ({@code inet A/N} or {@code inet A netmask M ...}). */
  private record Clause(InterfaceAddress address, int from, int to) {}

  /**
   * The IPv4 addresses an ifconfig_IF value configures: after each {@code inet}, or a bare leading address as the
   * Handbook also writes it; its prefix follows as {@code /N} or {@code netmask M}. An address without either is
   * skipped: its prefix would be a guess, and converge always writes one.
   */
  private static List<Clause> clauses(String value) {
    List<String> words = words(value);
    List<Clause> out = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      int at;
      if (words.get(i).equals("inet") && i + 1 < words.size()) {
        at = i + 1;
      } else if (i == 0 && Character.isDigit(words.get(0).charAt(0))) {
        at = 0;
      } else {
        continue;
      }
      int end = at + 1;
      Optional<InterfaceAddress> address = Optional.empty();
      String word = words.get(at);
      int slash = word.indexOf('/');
      if (slash >= 0) {
        Optional<Integer> prefix = InterfaceAddress.prefixOf(word.substring(slash + 1));
        address = InterfaceAddress.ipv4(word.substring(0, slash)).flatMap(ip -> prefix.map(p ->
            new InterfaceAddress(ip, p)));
        if (end < words.size() && InterfaceAddress.ipv4(words.get(end)).isPresent()) {
          // a point-to-point interface's destination: `inet A/N B`
          end++;
        }
      } else if (end + 1 < words.size() && words.get(end).equals("netmask")) {
        address = InterfaceAddress.withMask(word, words.get(end + 1));
        end += 2;
      }
      while (end + 1 < words.size() && words.get(end).equals("broadcast")) {
        end += 2;
      }
      if (address.isPresent()) {
        out.add(new Clause(address.get(), i, end));
        i = end - 1;
      }
    }
    return out;
  }

  private static List<String> words(String value) {
    return value.isBlank() ? List.of() : Arrays.asList(value.strip().split("\\s+"));
  }
}

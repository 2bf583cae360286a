package dev.converge.spec;

import com.google.common.net.InetAddresses;
import dev.converge.spec.Sections.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What binding one spec shares between the sections: the problems found so far, the names every section defines
 * (known before any entity is bound, so that references can be checked as they are read), the entities bound so
 * far, and the addresses and {@code requires} references to check once everything is bound.
 */
final class Binding {

  final Problems problems;
  final Sections sections;
  final Set<String> knownKinds;
  final Inheritance inheritance;
  final AddressBook addresses;
  final Requirements requirements = new Requirements();

  final Map<String, SecretRef> secrets = new LinkedHashMap<>();
  final Map<String, Image> images = new LinkedHashMap<>();
  final Map<String, Host> hosts = new LinkedHashMap<>();
  final Map<String, Network> networks = new LinkedHashMap<>();
  final Map<String, Ospf.Area> areas = new LinkedHashMap<>();
  final Map<String, Zone> zones = new LinkedHashMap<>();
  final Map<String, Jail> jails = new LinkedHashMap<>();
  final List<FileSpec> files = new ArrayList<>();
  final List<GenericResource> resources = new ArrayList<>();
  private final Map<Kind, Conversion<String>> references = new EnumMap<>(Kind.class);

  Binding(Problems problems, Sections sections, Set<String> knownKinds, Inheritance inheritance,
      List<Path> sources) {
    this.problems = problems;
    this.addresses = new AddressBook(sources);
    this.sections = sections;
    this.knownKinds = knownKinds;
    this.inheritance = inheritance;
  }

  Set<String> names(Kind kind) {
    return sections.named(kind).keySet();
  }

  /** The name of an entity of {@code kind} that the spec defines; a near miss gets a suggestion. */
  Conversion<String> reference(Kind kind) {
    return references.computeIfAbsent(kind, this::newReference);
  }

  private Conversion<String> newReference(Kind kind) {
    String expected = kind.article() + " defined in the spec";
    return Conversion.of(expected, text -> {
      String name = kind == Kind.ZONE ? zoneName(text) : text;
      if (!names(kind).contains(name)) {
        throw new Conversion.Invalid("found `" + text + "`, expected " + expected
            + Suggestions.didYouMean(text, names(kind)));
      }
      return name;
    });
  }

  /** A DNS resolver: a host or jail of the spec (by name), or an IP literal (canonical form). */
  Conversion<String> resolver() {
    String expected = "a host or jail defined in the spec, or an IP address";
    return Conversion.of(expected, text -> {
      if (InetAddresses.isInetAddress(text)) {
        return InetAddresses.toAddrString(InetAddresses.forString(text));
      }
      if (names(Kind.HOST).contains(text) || names(Kind.JAIL).contains(text)) {
        return text;
      }
      Set<String> candidates = new TreeSet<>(names(Kind.HOST));
      candidates.addAll(names(Kind.JAIL));
      throw new Conversion.Invalid("found `" + text + "`, expected " + expected
          + Suggestions.didYouMean(text, candidates));
    });
  }

  static String zoneName(String text) {
    try {
      return Conversion.dnsName().convert(text);
    } catch (Conversion.Invalid e) {
      return text;
    }
  }
}

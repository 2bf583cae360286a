package dev.converge.spec;

import dev.converge.spec.Node.ListNode;
import dev.converge.spec.Node.ScalarNode;
import dev.converge.spec.Sections.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code requires:} lists. Each entry is read as it is met ({@code host/NAME}, {@code jail/NAME},
 * {@code network/NAME}, {@code zone/NAME}, {@code image/NAME}, {@code file/HOST:PATH} or {@code KIND/HOST:NAME}
 * for a generic resource) and checked against the whole spec once every file and resource is known.
 */
final class Requirements {

  static final String KEY = "requires";
  private static final String FILE = "file";
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final String EXPECTED = "a reference such as host/NAME, jail/NAME, network/NAME, zone/NAME,"
      + " image/NAME, file/HOST:PATH or KIND/HOST:NAME";

  /** A reference waiting to be checked, with the start of its error message. */
  private record Pending(Reference reference, String prefix) {}

  private final List<Pending> pending = new ArrayList<>();

  /** Reads {@code requires} of the entity {@code r} reads; malformed entries are reported and left out. */
  List<Reference> read(MapReader r) {
    Optional<ListNode> list = r.listNode(KEY, "a list of references such as jail/NAME");
    if (list.isEmpty()) {
      return List.of();
    }
    List<Reference> references = new ArrayList<>();
    for (int i = 0; i < list.get().items().size(); i++) {
      Node item = list.get().items().get(i);
      String element = "[" + i + "]";
      if (!(item instanceof ScalarNode s) || s.isNull()) {
        r.error(KEY, element, item.location(), "found " + item.describe() + ", expected " + EXPECTED);
        continue;
      }
      Optional<Reference> reference = parse(s.text(), s.location());
      if (reference.isEmpty()) {
        r.error(KEY, element, s.location(), "found " + s.describe() + ", expected " + EXPECTED);
        continue;
      }
      references.add(reference.get());
      pending.add(new Pending(reference.get(), "`" + KEY + element + "` in " + r.context() + ": "));
    }
    return references;
  }

  /** Reports every reference to something the spec does not define. */
  void check(Binding b) {
    Set<String> files = new HashSet<>();
    b.files.forEach(f -> files.add(f.host() + ":" + f.path()));
    Set<String> resources = new HashSet<>();
    b.resources.forEach(g -> resources.add(g.kind() + "/" + g.host() + ":" + g.name()));
    for (Pending p : pending) {
      Reference ref = p.reference();
      Optional<Kind> kind = builtIn(ref.kind());
      if (kind.isPresent()) {
        String name = kind.get() == Kind.ZONE ? Binding.zoneName(ref.name()) : ref.name();
        if (!b.names(kind.get()).contains(name)) {
          b.problems.error(ref.location(), p.prefix() + "found `" + ref + "`, expected " + kind.get().article()
              + " defined in the spec" + Suggestions.didYouMean(ref.name(), b.names(kind.get())));
        }
      } else if (ref.kind().equals(FILE)) {
        if (!files.contains(ref.name())) {
          b.problems.error(ref.location(), p.prefix() + "found `" + ref + "`, expected a file defined in the spec"
              + " (file/HOST:PATH)" + Suggestions.didYouMean(ref.name(), files));
        }
      } else if (!resources.contains(ref.toString())) {
        b.problems.error(ref.location(), p.prefix() + "found `" + ref + "`, expected a resource defined in the"
            + " spec (KIND/HOST:NAME)" + Suggestions.didYouMean(ref.toString(), resources));
      }
    }
  }

  /** The built-in kinds a generic resource may not take, as its references would be ambiguous. */
  static boolean isReserved(String kind) {
    return builtIn(kind).isPresent() || kind.equals(FILE);
  }

  private static Optional<Reference> parse(String text, Location at) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || !KIND.matcher(text.substring(0, slash)).matches()) {
      return Optional.empty();
    }
    String kind = text.substring(0, slash);
    String name = text.substring(slash + 1);
    boolean needsHost = builtIn(kind).isEmpty();
    int colon = name.indexOf(':');
    if (needsHost && (colon <= 0 || colon == name.length() - 1)) {
      return Optional.empty();
    }
    return Optional.of(new Reference(kind, name, at));
  }

  private static Optional<Kind> builtIn(String kind) {
    return switch (kind) {
      case "host" -> Optional.of(Kind.HOST);
      case "jail" -> Optional.of(Kind.JAIL);
      case "network" -> Optional.of(Kind.NETWORK);
      case "zone" -> Optional.of(Kind.ZONE);
      case "image" -> Optional.of(Kind.IMAGE);
      default -> Optional.empty();
    };
  }
}

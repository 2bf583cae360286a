package dev.converge.spec;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every fixed address the spec assigns (host addresses written as IP literals, loopbacks, network
 * {@code addresses}, fixed jail addresses), to find one address given twice. The use written first in reading
 * order (the root file first, then includes in the order reached) keeps it; every later one is an error naming
 * both.
 */
final class AddressBook {

  private record Use(String user, Location at) {}

  private final Comparator<Location> readingOrder;
  private final Map<InetAddress, List<Use>> uses = new HashMap<>();

  /**
   * @param sources the files of the spec in reading order
   */
  AddressBook(List<Path> sources) {
    this.readingOrder = Comparator.comparingInt((Location l) -> sources.indexOf(l.file()))
        .thenComparingInt(Location::line)
        .thenComparingInt(Location::column);
  }

  /**
   * @param user who uses the address, as in {@code jail `web`}
   */
  void add(InetAddress address, String user, Location at) {
    uses.computeIfAbsent(address, a -> new ArrayList<>()).add(new Use(user, at));
  }

  void report(Problems problems) {
    for (Map.Entry<InetAddress, List<Use>> e : uses.entrySet()) {
      List<Use> all = e.getValue();
      if (all.size() < 2) {
        continue;
      }
      all.sort(Comparator.comparing(Use::at, readingOrder));
      Use first = all.get(0);
      String address = InetAddresses.toAddrString(e.getKey());
      for (Use later : all.subList(1, all.size())) {
        problems.error(later.at(), "address " + address + " of " + later.user() + " is already used by "
            + first.user() + " at " + first.at() + ": expected each address once");
      }
    }
  }
}

package dev.converge.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.spec.Cidr;
import dev.converge.spec.Host;
import dev.converge.spec.Jail;
import dev.converge.spec.Location;
import dev.converge.spec.Network;
import dev.converge.spec.Ospf;
import dev.converge.spec.Spec;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class IpamTest {

  private static Jail jail(String name, String address) {
    return new Jail(name, Location.unknown(), "h", "img", "jails",
        Optional.ofNullable(address).map(Cidr::address), Optional.empty(), Optional.empty(), List.of(), new TreeMap<>(),
        List.of(), Optional.empty(), Jail.ImagePolicy.FOLLOW, Optional.empty(), Jail.Runtime.NETNS, List.of());
  }

  private static Spec spec(String cidr, Map<String, List<InetAddress>> netAddresses, Jail... jails) {
    Map<String, Jail> js = new TreeMap<>();
    for (Jail j : jails) {
      js.put(j.name(), j);
    }
    Network net = new Network("jails", Location.unknown(), Network.Kind.LOOPBACK, Cidr.parse(cidr),
        Optional.of("lo2"), false, new TreeMap<>(netAddresses), List.of(), Optional.empty(),
        Network.WIREGUARD_PORT);
    return new Spec("s", Map.of(), Map.of(), Map.of("h", Host.local("h")), Map.of("jails", net), Ospf.NONE, Map.of(),
        js, List.of(), List.of(), List.of(Path.of("site.yaml")));
  }

  private static Map<String, Map<String, String>> recorded(String owner, String address) {
    return Map.of("jails", Map.of(owner, address));
  }

  @Test
  void newJailsGetTheLowestFreeAddressesInNameOrder() throws CompileException {
    SortedMap<String, SortedMap<String, String>> a = Ipam.allocate(
        spec("172.16.3.0/24", Map.of("h", List.of(Cidr.address("172.16.3.1"))), jail("web", null), jail("db", null),
            jail("dns", "172.16.3.2")), Map.of());

    assertThat(a.get("jails")).containsExactly(Map.entry("jail/db", "172.16.3.3"), Map.entry("jail/web", "172.16.3.4"));
  }

  @Test
  void aRecordedAllocationIsKeptEvenWhenALowerAddressIsFree() throws CompileException {
    SortedMap<String, SortedMap<String, String>> a = Ipam.allocate(spec("172.16.3.0/24", Map.of(), jail("web", null)),
        recorded("jail/web", "172.16.3.77"));

    assertThat(a.get("jails")).containsExactly(Map.entry("jail/web", "172.16.3.77"));
  }

  @Test
  void addingAJailNeverRenumbersTheOthers() throws CompileException {
    SortedMap<String, SortedMap<String, String>> before = Ipam.allocate(
        spec("10.0.0.0/29", Map.of(), jail("b", null), jail("c", null)), Map.of());
    SortedMap<String, SortedMap<String, String>> after = Ipam.allocate(
        spec("10.0.0.0/29", Map.of(), jail("a", null), jail("b", null), jail("c", null)), before);

    assertThat(after.get("jails")).containsEntry("jail/b", before.get("jails").get("jail/b"))
        .containsEntry("jail/c", before.get("jails").get("jail/c"))
        .containsEntry("jail/a", "10.0.0.3");
  }

  @Test
  void aRecordedAddressTakenByANewFixedJailMovesTheAutoJail() throws CompileException {
    SortedMap<String, SortedMap<String, String>> a = Ipam.allocate(
        spec("10.0.0.0/24", Map.of(), jail("auto", null), jail("fixed", "10.0.0.1")), recorded("jail/auto", "10.0.0.1"));

    assertThat(a.get("jails")).containsExactly(Map.entry("jail/auto", "10.0.0.2"));
  }

  @Test
  void allocationsOfJailsThatAreGoneAreReleased() throws CompileException {
    SortedMap<String, SortedMap<String, String>> a = Ipam.allocate(spec("10.0.0.0/24", Map.of(), jail("new", null)),
        recorded("jail/old", "10.0.0.1"));

    assertThat(a.get("jails")).containsExactly(Map.entry("jail/new", "10.0.0.1"));
  }

  @Test
  void aFullNetworkIsAnErrorNamingTheJailAndTheNetwork() {
    assertThatThrownBy(() -> Ipam.allocate(spec("10.0.0.0/30", Map.of(), jail("a", null), jail("b", null),
        jail("c", null)), Map.of()))
        .isInstanceOf(CompileException.class)
        .hasMessageContaining("network `jails` (10.0.0.0/30) has no free address left for jail `c`");
  }
}

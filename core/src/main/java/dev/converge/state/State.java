package dev.converge.state;

import com.google.common.collect.ImmutableSortedMap;
import dev.converge.resource.ResourceId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An immutable snapshot of what converge remembers about a site between runs. It never holds a secret value.
 *
 * @param lineage a random id given when the state is first created; every later serial of the same state keeps it,
 *     so that a state directory copied from elsewhere is noticed instead of being overwritten
 * @param serial how many times this state has been written; the store sets it on every write
 * @param site the spec's site name this state belongs to
 * @param resources the resources converge manages, by id
 * @param allocations IPAM allocations, network → owner → address, so that {@code address: auto} never renumbers.
 *     Within a network an address belongs to one owner only; networks without allocations are dropped.
 */
public record State(
    String lineage,
    long serial,
    String site,
    SortedMap<ResourceId, Ownership> resources,
    SortedMap<String, SortedMap<String, String>> allocations) {

  public State {
    if (lineage == null || lineage.isBlank()) {
      throw new IllegalArgumentException("state lineage must not be blank");
    }
    if (serial < 0) {
      throw new IllegalArgumentException("state serial must not be negative, got " + serial);
    }
    if (site == null || site.isBlank()) {
      throw new IllegalArgumentException("state site must not be blank");
    }
    resources = ImmutableSortedMap.copyOf(resources);
    resources.forEach((id, ownership) -> {
      if (!id.equals(ownership.id())) {
        throw new IllegalArgumentException("resource " + id + " is recorded with the ownership of " + ownership.id());
      }
    });
    allocations = copyAllocations(allocations);
  }

  /**
   * The lineage of a state that was never written. A store gives it a random lineage on its first write, so that
   * plans made before any state exists are reproducible, and a plan made then cannot be applied twice.
   */
  public static final String UNWRITTEN = "unwritten";

  /** What a store reads where no state was written yet: lineage {@link #UNWRITTEN}, serial 0, nothing recorded. */
  public static State unwritten(String site) {
    return new State(UNWRITTEN, 0, site, ImmutableSortedMap.of(), ImmutableSortedMap.of());
  }

  /** A new state for {@code site}: a fresh random lineage, serial 0, nothing managed, nothing allocated. */
  public static State empty(String site) {
    return new State(UUID.randomUUID().toString(), 0, site, ImmutableSortedMap.of(), ImmutableSortedMap.of());
  }

  public Optional<Ownership> ownership(ResourceId id) {
    return Optional.ofNullable(resources.get(id));
  }

  public Optional<String> allocation(String network, String owner) {
    return Optional.ofNullable(allocations.getOrDefault(network, ImmutableSortedMap.of()).get(owner));
  }

  /** A copy that records {@code ownership}, replacing what was recorded for its id. */
  public State withResource(Ownership ownership) {
    return withResources(List.of(ownership));
  }

  /** A copy that records every one of {@code ownerships}: one copy of the inventory, however many there are. */
  public State withResources(Collection<Ownership> ownerships) {
    TreeMap<ResourceId, Ownership> next = new TreeMap<>(resources);
    for (Ownership o : ownerships) {
      next.put(o.id(), o);
    }
    return new State(lineage, serial, site, next, allocations);
  }

  /** A copy that no longer records {@code id}; the same state if it was not recorded. */
  public State withoutResource(ResourceId id) {
    return withoutResources(List.of(id));
  }

  /** A copy that no longer records any of {@code ids}. */
  public State withoutResources(Collection<ResourceId> ids) {
    TreeMap<ResourceId, Ownership> next = new TreeMap<>(resources);
    ids.forEach(next::remove);
    return new State(lineage, serial, site, next, allocations);
  }

  /**
   * A copy in which {@code owner} holds {@code address} in {@code network}, replacing its previous address there.
   *
   * @throws IllegalArgumentException if another owner already holds that address in that network
   */
  public State withAllocation(String network, String owner, String address) {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(address, "address");
    TreeMap<String, SortedMap<String, String>> next = new TreeMap<>(allocations);
    TreeMap<String, String> inNetwork = new TreeMap<>(allocations.getOrDefault(network, ImmutableSortedMap.of()));
    inNetwork.put(owner, address);
    next.put(network, inNetwork);
    return new State(lineage, serial, site, resources, next);
  }

  /** A copy in which {@code owner} holds no address in {@code network}; the same state if it held none. */
  public State withoutAllocation(String network, String owner) {
    SortedMap<String, String> inNetwork = allocations.get(network);
    if (inNetwork == null || !inNetwork.containsKey(owner)) {
      return this;
    }
    TreeMap<String, SortedMap<String, String>> next = new TreeMap<>(allocations);
    TreeMap<String, String> rest = new TreeMap<>(inNetwork);
    rest.remove(owner);
    next.put(network, rest);
    return new State(lineage, serial, site, resources, next);
  }

  /** The same state written as serial {@code next}; the store uses it to number writes. */
  State withSerial(long next) {
    return new State(lineage, next, site, resources, allocations);
  }

  private static SortedMap<String, SortedMap<String, String>> copyAllocations(
      SortedMap<String, SortedMap<String, String>> allocations) {
    ImmutableSortedMap.Builder<String, SortedMap<String, String>> b = ImmutableSortedMap.naturalOrder();
    allocations.forEach((network, byOwner) -> {
      if (byOwner.isEmpty()) {
        return;
      }
      Map<String, String> ownerOfAddress = new HashMap<>();
      byOwner.forEach((owner, address) -> {
        String other = ownerOfAddress.putIfAbsent(address, owner);
        if (other != null) {
          throw new IllegalArgumentException(
              "address " + address + " in network " + network + " is allocated to both " + other + " and " + owner);
        }
      });
      b.put(network, ImmutableSortedMap.copyOf(byOwner));
    });
    return b.build();
  }
}

package dev.converge.state;

import com.google.common.collect.ImmutableSortedSet;
import dev.converge.resource.ResourceId;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.SortedSet;

/**
 * What converge remembers about one resource it manages.
 *
 * @param id the resource
 * @param created whether converge created it. Only a resource converge created may be deleted once the spec drops
 *     it; one that already existed when converge first saw it (adopted) is left alone.
 * @param requires the ids it required when last applied, so that a dropped resource can be deleted before what it
 *     depended on, even though the spec no longer says so
 * @param since when converge started managing it
 */
public record Ownership(ResourceId id, boolean created, SortedSet<ResourceId> requires, Instant since) {

  public Ownership {
    Objects.requireNonNull(id, "id");
    requires = ImmutableSortedSet.copyOf(requires);
    Objects.requireNonNull(since, "since");
    if (requires.contains(id)) {
      throw new IllegalArgumentException(id + " cannot require itself");
    }
  }

  /** A resource converge created, and may therefore delete. */
  public static Ownership created(ResourceId id, Collection<ResourceId> requires, Instant since) {
    return new Ownership(id, true, ImmutableSortedSet.copyOf(requires), since);
  }

  /** A resource that existed before converge managed it, and which converge therefore never deletes. */
  public static Ownership adopted(ResourceId id, Collection<ResourceId> requires, Instant since) {
    return new Ownership(id, false, ImmutableSortedSet.copyOf(requires), since);
  }
}

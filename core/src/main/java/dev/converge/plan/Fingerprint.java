package dev.converge.plan;

import java.util.SortedMap;

/**
 * What a saved plan was made from, so that applying it later can refuse when anything moved: a digest of every spec
 * file, the state's lineage and serial, and a keyed digest (HMAC with the state's plan key, so sensitive values are
 * covered without being readable) of each change, before-values included.
 */
public record Fingerprint(String specDigest, String stateLineage, long stateSerial,
    SortedMap<String, String> changeDigests) {

  public Fingerprint {
    changeDigests = com.google.common.collect.ImmutableSortedMap.copyOfSorted(changeDigests);
  }
}

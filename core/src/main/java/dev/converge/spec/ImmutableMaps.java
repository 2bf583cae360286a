package dev.converge.spec;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.SortedMap;

final class ImmutableMaps {
  private ImmutableMaps() {}

  static <V> SortedMap<String, V> sorted(Map<String, V> map) {
    return map instanceof ImmutableSortedMap<String, V> m ? m : ImmutableSortedMap.copyOf(map);
  }
}

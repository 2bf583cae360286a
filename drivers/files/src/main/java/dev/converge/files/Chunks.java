package dev.converge.files;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/** Splits a batch so that each exec stays within the host's limits on arguments (ARG_MAX) or on output. */
final class Chunks {

  private Chunks() {}

  /**
   * Consecutive chunks of at most {@code maxCount} items whose weights add up to at most {@code maxWeight}; an item
   * heavier than that on its own gets a chunk to itself. Order is kept.
   */
  static <T> List<List<T>> of(List<T> items, int maxCount, ToLongFunction<T> weight, long maxWeight) {
    List<List<T>> chunks = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long total = 0;
    for (T item : items) {
      long w = weight.applyAsLong(item);
      if (!current.isEmpty() && (current.size() == maxCount || total + w > maxWeight)) {
        chunks.add(List.copyOf(current));
        current.clear();
        total = 0;
      }
      current.add(item);
      total += w;
    }
    if (!current.isEmpty()) {
      chunks.add(List.copyOf(current));
    }
    return chunks;
  }
}

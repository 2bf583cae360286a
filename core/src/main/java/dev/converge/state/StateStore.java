package dev.converge.state;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * An open state directory. Holding an open store <em>is</em> holding the state lock: no other run, in this process
 * or any other, can open the same directory until {@link #close()}. Every method is safe to call from several
 * threads.
 */
public interface StateStore extends AutoCloseable {

  /** The current snapshot: the last one written, or {@link State#empty(String)} if none has been yet. */
  State read() throws StateException;

  /**
   * Replaces the state, atomically and durably: a crash at any point leaves either the previous or the new
   * {@code state.json}. The store numbers the write: the stored serial becomes the previous one plus one, whatever
   * {@code next.serial()} says. Concurrent writers should use {@link #update} instead, which cannot lose a
   * change made in between.
   *
   * @throws StateException if {@code next} belongs to another site, or to another lineage than the stored state
   *     (a state from another history), or if the file cannot be written; the stored state is then unchanged
   */
  void write(State next) throws StateException;

  /**
   * Applies {@code change} to the current state and writes the result as {@link #write} does, as one step that no
   * other write can interleave with.
   *
   * @return the state as written, with its new serial
   */
  State update(UnaryOperator<State> change) throws StateException;

  Journal journal();

  /**
   * 32 random bytes private to this state directory ({@code plan.key}, mode 0600), for keyed digests of sensitive
   * values in saved plans. Created on first use, the same ever after.
   *
   * @throws StateException if the key cannot be created or read, is not 32 bytes, or is readable by group or
   *     others
   */
  byte[] planKey() throws StateException;

  Path directory();

  /** Closes the journal and releases the lock; idempotent. Other methods fail once closed. */
  @Override
  void close();
}

package dev.converge.driver;

import dev.converge.resource.Change;
import java.util.List;

/**
 * A driver whose changes are cheaper together than one by one: the engine hands it every change of one target that
 * is ready at the same moment (a zone's record changes, sent as one signed DNS UPDATE rather than hundreds).
 * Moves are never batched.
 */
public interface Batching {

  /**
   * Makes every change match, like {@link Driver#apply} for each. Throwing fails all of them, so an implementation
   * that can only partly succeed should say in its message which changes took effect.
   */
  void applyAll(Target target, List<Change> changes) throws ActionException;
}

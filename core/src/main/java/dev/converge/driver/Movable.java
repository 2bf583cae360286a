package dev.converge.driver;

import dev.converge.resource.Change;

/**
 * A driver capability: a resource whose target changes is migrated, keeping its data and identity, instead of
 * being deleted on one target and created on another.
 */
public interface Movable {

  /**
   * Moves {@code change.desired()} from {@code from} to {@code to}. On failure the resource must still run on
   * {@code from}.
   */
  void move(Target from, Target to, Change change) throws ActionException;
}

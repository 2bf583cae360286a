package dev.converge.engine;

import dev.converge.execute.Outcome;
import dev.converge.resource.Change;

/** One planned change and how carrying it out ended, in the round it ran. */
public record ActionResult(int round, Change change, Outcome outcome) {}

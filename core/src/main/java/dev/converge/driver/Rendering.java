package dev.converge.driver;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;

/**
 * A driver capability: the text a resource becomes on its host (a configuration file, or the part of one converge
 * owns), so that a plan shows a change as a line diff of that text beside its field changes. The text goes into
 * plans: every {@link dev.converge.resource.Sensitive} value must render as {@code (sensitive)}.
 */
public interface Rendering {

  /**
   * The text {@code properties} become on {@code resource}'s host: the resource's desired properties, or what a probe
   * observed of it (rendered the way the desired resource would be, e.g. for the same daemon).
   *
   * @throws IllegalArgumentException if {@code properties} cannot be rendered (the plan then shows field changes only)
   */
  String render(Resource resource, Properties properties);
}

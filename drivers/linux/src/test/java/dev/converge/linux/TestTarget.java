package dev.converge.linux;

import dev.converge.driver.Target;
import dev.converge.driver.Transport;

/** A Linux target around an already open transport. */
record TestTarget(String name, Transport transport) implements Target {

  @Override
  public String platform() {
    return "linux";
  }
}

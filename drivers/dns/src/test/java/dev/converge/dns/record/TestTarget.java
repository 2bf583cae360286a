package dev.converge.dns.record;

import dev.converge.driver.Target;
import dev.converge.driver.Transport;

/** A target around an already open transport. */
record TestTarget(String name, String platform, Transport transport) implements Target {}

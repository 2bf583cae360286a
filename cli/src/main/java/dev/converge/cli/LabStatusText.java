package dev.converge.cli;

import dev.converge.lab.LabStatus;
import dev.converge.spec.Host;
import dev.converge.spec.Spec;

/** {@code converge lab status}: one line per host, saying which drivers it runs (Linux, whatever os: says). */
final class LabStatusText {

  private LabStatusText() {}

  static String render(Spec spec, LabStatus status) {
    StringBuilder sb = new StringBuilder();
    sb.append("lab ").append(status.prefix()).append(": ").append(status.up() ? "up" : "not up")
        .append(status.subnet().map(s -> ", management network " + s).orElse("")).append('\n');
    int width = status.hosts().stream().mapToInt(h -> h.name().length()).max().orElse(4);
    String row = "%-" + Math.max(4, width) + "s  %-6s  %-8s  %-15s  %-3s  %s%n";
    sb.append(String.format(row, "HOST", "STATE", "PID", "ADDRESS", "SSH", "DRIVERS"));
    for (LabStatus.HostStatus h : status.hosts()) {
      Host inSpec = spec.hosts().get(h.name());
      String drivers = inSpec == null ? "(no longer in the spec)"
          : inSpec.os().equals("linux") ? "linux" : "linux (the spec says " + inSpec.os() + ")";
      sb.append(String.format(row, h.name(), h.up() ? "up" : "down",
          h.pid().isPresent() ? String.valueOf(h.pid().getAsLong()) : "-", h.address().orElse("-"),
          h.sshReachable() ? "yes" : "no", drivers));
    }
    return sb.toString();
  }
}

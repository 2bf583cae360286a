package dev.converge.linux;

import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code ip-forwarding} resource ({@code ip-forwarding/HOST:ipv4}, property {@code enabled}): the kernel's
 * {@code net.ipv4.ip_forward} and its persisted value in {@code /etc/sysctl.d/90-converge-forwarding.conf}.
 *
 * <p><b>Probe.</b> One exec reads the live value and the file. The resource is that file, as for {@code sysctl}: without
 * it the resource is absent. {@code enabled} is a boolean when the live value and the file agree, and otherwise
 * says what each holds ({@code live 0, persisted 1}), which the plan shows as drift.
 *
 * <p><b>Apply.</b> {@code sysctl -w net.ipv4.ip_forward=1} (0 when disabled), then the file is written atomically
 * (0644). A delete removes the file and leaves the live value until the next boot: turning forwarding off under a
 * running router is a decision for the spec ({@code enabled: false}), not a side effect of dropping a resource.
 */
public final class IpForwardingDriver implements Driver {

  public static final String KIND = "ip-forwarding";
  static final String ENABLED = "enabled";
  static final String NAME = "ipv4";
  static final String KEY = "net.ipv4.ip_forward";
  static final String FILE = "/etc/sysctl.d/90-converge-forwarding.conf";

  /** Prints the live value, then {@code -} or the file's content in base64. */
  static final Command PROBE = Command.of("sh", "-c", """
      cat /proc/sys/net/ipv4/ip_forward
      if [ -f %s ]; then base64 -w0 < %s; echo; else echo -; fi
      """.formatted(FILE, FILE));

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux");
  }

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    for (Resource r : batch) {
      if (!r.id().name().equals(NAME)) {
        throw new ProbeException("ip-forwarding on " + target.name() + ": found `" + r.id().name() + "`, expected `"
            + NAME + "` (IPv4 is the only family this version manages)");
      }
    }
    ExecResult r = Remote.probe(target, PROBE, KIND);
    Forwarding state;
    try {
      state = Forwarding.parse(r.out());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe ip-forwarding on " + target.name() + ": " + e.getMessage()
          + r.details(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource resource : batch) {
      observations.add(state.persisted().isEmpty() ? Observation.absent(resource.id())
          : Observation.present(resource.id(), Properties.builder().put(ENABLED, state.enabled()).build()));
    }
    return observations;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String where = "ip-forwarding on " + target.name();
    if (!change.id().name().equals(NAME)) {
      throw new ActionException(where + ": found `" + change.id().name() + "`, expected `" + NAME + "`");
    }
    if (!change.desired().isPresent()) {
      Remote.run(target, Command.of("rm", "-f", "--", FILE), "rm " + FILE, where);
      return;
    }
    boolean enabled = change.desired().properties().get(ENABLED).map(Boolean.TRUE::equals).orElse(false);
    String value = enabled ? "1" : "0";
    Remote.run(target, Command.of("sysctl", "-w", KEY + "=" + value), "sysctl -w " + KEY + "=" + value, where);
    Remote.write(target, FILE, "# written by converge\n" + KEY + " = " + value + "\n", 0644, where);
  }

  /**
   * What the probe printed.
   *
   * @param live the kernel's value
   * @param persisted the value the file assigns last; empty when there is no file
   */
  record Forwarding(String live, Optional<String> persisted) {

    static Forwarding parse(String output) {
      List<String> lines = output.lines().toList();
      if (lines.size() != 2 || !lines.get(0).strip().matches("[0-9]+")) {
        throw new IllegalStateException("expected the live value of " + KEY + " and the file on two lines, found "
            + lines.size() + " lines");
      }
      String file = lines.get(1).strip();
      Optional<String> persisted = file.equals(Base64Text.MISSING) ? Optional.empty()
          : Optional.of(assigned(Base64Text.decode(file, FILE)));
      return new Forwarding(lines.get(0).strip(), persisted);
    }

    /** The value of the last {@code net.ipv4.ip_forward = V} line (later lines win), empty text if none. */
    private static String assigned(String content) {
      String value = "";
      for (String line : content.lines().toList()) {
        int eq = line.indexOf('=');
        if (eq > 0 && !line.strip().startsWith("#") && line.substring(0, eq).strip().replace('/', '.').equals(KEY)) {
          value = line.substring(eq + 1).strip();
        }
      }
      return value;
    }

    /** {@code true}/{@code false} when the kernel and the file agree; else what each says, to show as drift. */
    Object enabled() {
      String file = persisted.orElse("");
      if (live.equals(file) && (live.equals("1") || live.equals("0"))) {
        return live.equals("1");
      }
      return "live " + live + ", persisted " + (file.isEmpty() ? "nothing" : file);
    }
  }
}

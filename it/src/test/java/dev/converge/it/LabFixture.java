package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a lab test needs besides the CLI: the lab's status as `converge lab status` prints it, and explicit checks
 * on the machine that nothing of the lab is left (namespaces, interfaces, mounts, processes).
 */
final class LabFixture {

  private static final Pattern HEADER = Pattern.compile("^lab (\\S+): (up|not up)(?:, management network (\\S+))?");

  /** One host line of `converge lab status`. */
  record HostLine(String name, String state, OptionalLong pid, String address) {}

  /** `converge lab status SPEC`, parsed. */
  record Status(String prefix, boolean up, String subnet, List<HostLine> hosts) {
    List<Long> pids() {
      return hosts.stream().filter(h -> h.pid().isPresent()).map(h -> h.pid().getAsLong()).toList();
    }

    /** The interface-name prefix: `cv` and the id of `cv-SITE-ID`. */
    String linkPrefix() {
      return "cv" + prefix.substring(prefix.lastIndexOf('-') + 1);
    }
  }

  private LabFixture() {}

  static Status status(Path spec) throws IOException, InterruptedException {
    Cli.Run run = Cli.run("lab", "status", spec.toString());
    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> lines = run.out().lines().toList();
    Matcher m = HEADER.matcher(lines.get(0));
    assertThat(m.find()).as(run.out()).isTrue();
    List<HostLine> hosts = new ArrayList<>();
    for (String line : lines.subList(2, lines.size())) {
      String[] f = line.trim().split("\\s+");
      hosts.add(new HostLine(f[0], f[1], f[2].equals("-") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[2])),
          f[3]));
    }
    return new Status(m.group(1), m.group(2).equals("up"), m.group(3), hosts);
  }

  /** Asserts that the machine holds nothing of the lab: no namespace, interface, mount or process. */
  static void assertNothingLeft(Status before) throws IOException, InterruptedException {
    assertThat(command("ip", "netns", "list")).doesNotContain(before.prefix());
    assertThat(command("ip", "-br", "link")).doesNotContain(before.linkPrefix());
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(before.prefix());
    for (long pid : before.pids()) {
      assertThat(isRunning(pid)).as("lab process %d", pid).isFalse();
    }
    assertThat(processesMentioning(before.prefix())).as("processes of the lab").isEmpty();
  }

  /**
   * Whether {@code pid} exists and has not exited. A zombie has exited: the lab's processes end up as children of
   * PID 1, and this machine's PID 1 reaps them only now and then.
   */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return false;
    }
  }

  /** Live processes whose command line names {@code text} (a host's init carries the lab's runtime directory). */
  static List<String> processesMentioning(String text) {
    List<String> found = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      try {
        String cmdline = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline")).replace('\0', ' ');
        if (cmdline.contains(text) && p.pid() != ProcessHandle.current().pid()) {
          found.add(p.pid() + " " + cmdline);
        }
      } catch (IOException gone) {
        // the process ended meanwhile
      }
    });
    return found;
  }

  static String command(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }
}

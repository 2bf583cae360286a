package dev.converge.jails;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Movable;
import dev.converge.driver.Driver;
import dev.converge.driver.Transport;
import dev.converge.driver.Enterable;
import dev.converge.transport.JailTransport;
import dev.converge.driver.ExecResult;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Readiness;
import dev.converge.driver.Target;
import dev.converge.driver.TransportException;
import dev.converge.images.ImageStore;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The {@code jail} resource on Linux ({@code jail/HOST:NAME}): a network namespace {@code cj-NAME} joined to the host
 * by a veth pair, a copy-on-write overlay root on the image's build under {@code /var/lib/jails/NAME}, and a start
 * command run detached in new UTS, PID and mount namespaces: chrooted into that root by {@code unshare} (runtime
 * {@code netns}), or under {@code systemd-nspawn} with the settings file {@link NspawnSettings} renders (runtime
 * {@code nspawn}: on a host whose init is systemd as the unit {@code systemd-nspawn@NAME.service}, registered with
 * machined, else started directly and not registered, as in the lab). The contract is issue 6's
 * (jails-contract.md).
 *
 * <p><b>Probe.</b> One exec for the batch: a static script, the jail names its only arguments, reads each jail's
 * {@code jail.json} (converge's record of what it applied; without it a jail is absent and never touched), the
 * marker of the image build it runs on, the namespace's address and default route, whether the start process (its
 * pid file, checked to be in the jail's namespace) runs and which hostname it sees, the mounts under the root, and
 * the files converge provisions inside. The observation is the record corrected by those facts.
 *
 * <p><b>Apply.</b> Create resolves the image's {@code current} build (recorded as {@code image-dir}), sets the jail
 * up, provisions accounts and resolv.conf, installs packages and starts it. An update that touches the image,
 * network, hostname, mounts, start command or {@code running} takes the jail down (keeping its upper directory, so
 * its data) and up again on the build it should run on; accounts, resolv.conf and packages are repaired in place.
 * Delete stops the jail and removes its namespace, veth, mounts and directory.
 */
public final class JailDriver implements Driver, Movable, Enterable {

  public static final String KIND = "jail";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> RESTARTING =
      Set.of("image", "image-digest", "network", "hostname", "mounts", "start", "runtime", "running");
  private static final Duration PACKAGES_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration TRANSFER_TIMEOUT = Duration.ofHours(2);
  private static final Duration READY_POLL = Duration.ofMillis(50);

  @Override
  public Transport enter(Target host, Resource jail) throws TransportException {
    JailSettings settings;
    try {
      settings = JailSettings.of(jail.id().name(), jail.properties());
    } catch (IllegalArgumentException e) {
      throw new TransportException("cannot enter jail " + jail.id().name() + " on " + host.name() + ": "
          + e.getMessage(), e);
    }
    return new JailTransport(host.transport(), settings.name(), settings.network().address(),
        command -> EnteredJail.inside(settings.name(), command));
  }

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
    List<String> names = new ArrayList<>();
    for (Resource r : batch) {
      try {
        names.add(checkedName(r.id().name()));
      } catch (IllegalArgumentException e) {
        throw new ProbeException("jail " + r.id().name() + " on " + target.name() + ": " + e.getMessage(), e);
      }
    }
    ExecResult r = Remote.probe(target, Script.PROBE.command(names));
    Map<String, Seen> seen;
    try {
      seen = Seen.parse(r.out());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe jails on " + target.name() + ": " + e.getMessage() + r.details(), e);
    }
    List<Observation> out = new ArrayList<>(batch.size());
    for (Resource resource : batch) {
      Seen s = seen.get(resource.id().name());
      if (s == null) {
        throw new ProbeException("cannot probe jails on " + target.name() + ": nothing printed for jail "
            + resource.id().name() + r.details());
      }
      out.add(s.present() ? Observation.present(resource.id(), Observed.of(s, resource))
          : Observation.absent(resource.id()));
    }
    return out;
  }

  @Override
  public void apply(Target target, Change change) throws ActionException {
    String name = change.id().name();
    String where = "jail " + name + " on " + target.name();
    if (!change.desired().isPresent()) {
      checked(where, () -> checkedName(name));
      Remote.run(target, Script.DOWN.command(List.of(name, JailSettings.veth(name), "delete")), "delete", where);
      return;
    }
    JailSettings jail = checked(where, () -> JailSettings.of(name, change.desired().properties()));
    if (!change.observed().isPresent()) {
      create(target, jail, change, where);
      return;
    }
    Optional<Seen.Record> before = record(target, jail, where);
    boolean restart = change.fields().stream().anyMatch(f -> RESTARTING.contains(f.field()));
    if (restart) {
      String imageDir = change.touches("image") || change.touches("image-digest") || before.isEmpty()
          ? resolveImage(target, jail, where) : before.get().imageDir();
      Remote.run(target, Script.DOWN.command(List.of(name, jail.veth(), "keep")), "stop", where);
      Remote.run(target, up(jail, imageDir, change.desired().properties()), "set up", where);
    } else {
      String imageDir = before.map(Seen.Record::imageDir).orElseThrow(() -> new ActionException(where
          + ": its record " + jail.directory() + "/" + ImageStore.JAIL_RECORD + " is gone"));
      writeRecord(target, jail, imageDir, change, where);
    }
    if (change.touches("users") || change.touches("resolv-conf")) {
      provision(target, jail, before.map(b -> b.properties().get("users")).orElse(null), where);
    }
    if (change.touches("packages")) {
      installPackages(target, jail, where);
    }
    if (restart) {
      start(target, jail, where);
    }
  }

  /**
   * Stops the jail on {@code from} (keeping its directory), streams its upper directory to {@code to} as a tar
   * stream, sets it up and starts it there with the same name and address, waits until it is ready, then removes it
   * from {@code from}. A missing image build on {@code to} fails before anything stops; any later failure removes
   * what was made on {@code to} and starts the jail on {@code from} again.
   */
  @Override
  public void move(Target from, Target to, Change change) throws ActionException {
    String name = change.id().name();
    String where = "jail " + name + " (moving from " + from.name() + " to " + to.name() + ")";
    JailSettings jail = checked(where, () -> JailSettings.of(name, change.desired().properties()));
    Seen.Record before = record(from, jail, where).orElseThrow(() -> new ActionException(where + ": "
        + from.name() + " has no converge jail " + name + " to move"));
    String imageDir = resolveImage(to, jail, where);
    Remote.run(from, Script.DOWN.command(List.of(name, jail.veth(), "keep")), "stop", where);
    try {
      transfer(from, to, jail, recordText(imageDir, change.desired().properties()), where);
      Remote.run(to, up(jail, imageDir, change.desired().properties()), "set up", where);
      provision(to, jail, null, where);
      if (!jail.packages().isEmpty()) {
        installPackages(to, jail, where);
      }
      start(to, jail, where);
      awaitReady(to, change.desired(), where);
    } catch (ActionException | ProbeException | RuntimeException e) {
      throw rollBack(from, to, jail, before, where, e);
    }
    Remote.run(from, Script.DOWN.command(List.of(name, jail.veth(), "delete")), "remove the moved jail from "
        + from.name() + ", which runs on " + to.name() + " now:", where);
  }

  /** Removes the jail from {@code to} and starts it on {@code from} again; the exception says how that went. */
  private static ActionException rollBack(Target from, Target to, JailSettings jail, Seen.Record before, String where,
      Exception cause) {
    StringBuilder message = new StringBuilder(cause.getMessage());
    try {
      Remote.run(to, Script.DOWN.command(List.of(jail.name(), jail.veth(), "delete")), "clean up", where);
      Properties old = Properties.of(before.properties());
      JailSettings was = JailSettings.of(jail.name(), old);
      Remote.run(from, up(was, before.imageDir(), old), "set up again", where);
      start(from, was, where);
      message.append("; the jail runs on ").append(from.name()).append(" again");
    } catch (ActionException | RuntimeException e) {
      message.append("; rolling back failed too: ").append(e.getMessage());
    }
    return new ActionException(message.toString(), cause);
  }

  /** The upper directory from {@code from} to {@code to}, one tar stream through a bounded pipe. */
  private static void transfer(Target from, Target to, JailSettings jail, String record, String where)
      throws ActionException {
    Pipe pipe = new Pipe();
    FutureTask<ExecResult> sending = new FutureTask<>(() -> {
      try (OutputStream sink = pipe.sink()) {
        return from.transport().stream(Script.SEND.command(List.of(jail.name()), TRANSFER_TIMEOUT),
            InputStream.nullInputStream(), sink);
      }
    });
    Thread sender = new Thread(sending, "jail-send-" + jail.name());
    sender.setDaemon(true);
    sender.start();
    ExecResult received;
    try (InputStream source = pipe.source()) {
      received = to.transport().stream(Script.RECEIVE.command(List.of(jail.name(), record), TRANSFER_TIMEOUT),
          source, OutputStream.nullOutputStream());
    } catch (IOException e) {
      sending.cancel(true);
      throw new ActionException("cannot stream " + where + ": " + e.getMessage(), e);
    }
    ExecResult sent;
    try {
      sent = sending.get();
    } catch (ExecutionException e) {
      throw new ActionException("cannot stream " + where + " from " + from.name() + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActionException("interrupted while streaming " + where, e);
    }
    if (!sent.ok()) {
      throw new ActionException("cannot stream " + where + ": tar on " + from.name() + " failed (exit "
          + sent.exitCode() + ")" + sent.details());
    }
    if (!received.ok()) {
      throw new ActionException("cannot stream " + where + ": unpacking on " + to.name() + " failed (exit "
          + received.exitCode() + ")" + received.details());
    }
  }

  private void awaitReady(Target target, Resource resource, String where) throws ActionException, ProbeException {
    long deadline = System.nanoTime() + readinessTimeout(resource).toNanos();
    Readiness readiness = readiness(target, resource);
    while (!readiness.ready()) {
      if (System.nanoTime() > deadline) {
        throw new ActionException(where + ": not ready on " + target.name() + " within "
            + readinessTimeout(resource).toSeconds() + " s, waiting for " + readiness.waitingFor());
      }
      try {
        Thread.sleep(READY_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ActionException("interrupted while waiting for " + where, e);
      }
      readiness = readiness(target, resource);
    }
  }

  @Override
  public Readiness readiness(Target target, Resource resource) throws ProbeException {
    String name = resource.id().name();
    JailSettings jail;
    try {
      jail = JailSettings.of(name, resource.properties());
    } catch (IllegalArgumentException e) {
      throw new ProbeException("jail " + name + " on " + target.name() + ": " + e.getMessage(), e);
    }
    ExecResult r = Remote.probe(target, Script.READY.command(List.of(name, jail.network().address(),
        String.valueOf(jail.start().isPresent()))));
    return r.ok() ? Readiness.READY : Readiness.waitingFor(r.out().strip());
  }

  @Override
  public Duration readinessTimeout(Resource resource) {
    return Duration.ofSeconds(30);
  }

  private void create(Target target, JailSettings jail, Change change, String where) throws ActionException {
    String imageDir = resolveImage(target, jail, where);
    Remote.run(target, up(jail, imageDir, change.desired().properties()), "set up", where);
    provision(target, jail, null, where);
    if (!jail.packages().isEmpty()) {
      installPackages(target, jail, where);
    }
    start(target, jail, where);
  }

  /** The directory of the image's current build, checked against the digest the jail follows. */
  private static String resolveImage(Target target, JailSettings jail, String where) throws ActionException {
    String images = ImageStore.LINUX_IMAGES + "/" + jail.image();
    ExecResult r = Remote.exec(target, Script.RESOLVE.command(List.of(images)), where);
    if (!r.ok()) {
      throw new ActionException(where + ": image `" + jail.image() + "` has no current build on " + target.name()
          + r.details());
    }
    String[] lines = r.out().split("\n", 2);
    String dir = lines[0].strip();
    if (jail.imageDigest().isPresent()) {
      String digest;
      try {
        digest = JSON.readTree(lines.length > 1 ? lines[1] : "").path("digest").asText("");
      } catch (JsonProcessingException e) {
        throw new ActionException(where + ": the marker of " + dir + " is not JSON: " + e.getMessage(), e);
      }
      if (!digest.equals(jail.imageDigest().get())) {
        throw new ActionException(where + ": the jail follows image `" + jail.image() + "` at "
            + jail.imageDigest().get() + ", but its current build " + dir + " is " + digest);
      }
    }
    if (!dir.startsWith(images + "/") || dir.contains(",") || dir.contains(":")) {
      throw new ActionException(where + ": image `" + jail.image() + "`'s current build is " + dir
          + ", expected a directory under " + images);
    }
    return dir;
  }

  private static Command up(JailSettings jail, String imageDir, Properties desired) {
    boolean nspawn = jail.runtime().equals(JailSettings.NSPAWN);
    List<String> args = new ArrayList<>(List.of(jail.name(), imageDir, recordText(imageDir, desired), jail.veth(),
        jail.network().kind(), jail.network().address(), String.valueOf(jail.network().prefix()),
        jail.network().gateway(), jail.network().iface(), nspawn ? NspawnSettings.render(jail) : "",
        nspawn ? NspawnSettings.unit(jail) : ""));
    for (JailSettings.Mount m : jail.mounts()) {
      args.addAll(List.of(m.source(), m.target(), String.valueOf(m.readOnly())));
    }
    return Script.UP.command(args);
  }

  private static void start(Target target, JailSettings jail, String where) throws ActionException {
    if (jail.start().isPresent()) {
      Remote.run(target, Script.START.command(List.of(jail.name(), jail.hostname(), jail.start().get(),
          jail.runtime())), "start",
          where);
    }
  }

  /** Accounts and resolv.conf; accounts the record had and the spec no longer has are dropped. */
  private static void provision(Target target, JailSettings jail, Object usersBefore, String where)
      throws ActionException {
    List<String> args = new ArrayList<>(List.of(jail.root()));
    jail.resolvConf().ifPresent(text -> args.addAll(List.of("resolv", text)));
    Set<String> kept = new HashSet<>();
    for (JailSettings.Account a : jail.users()) {
      kept.add(a.name());
      args.addAll(List.of("user", a.name(), a.uid().map(String::valueOf).orElse(""),
          a.gid().map(String::valueOf).orElse(""), String.valueOf(a.sudo()), a.sshKey().orElse("")));
    }
    if (usersBefore instanceof Map<?, ?> m) {
      for (Object old : m.keySet()) {
        if (!kept.contains(String.valueOf(old))) {
          args.addAll(List.of("drop", checked(where, () -> JailSettings.requireAccount(String.valueOf(old)))));
        }
      }
    }
    if (args.size() > 1) {
      Remote.run(target, Script.PROVISION.command(args), "provision", where);
    }
  }

  private static void installPackages(Target target, JailSettings jail, String where) throws ActionException {
    List<String> args = new ArrayList<>(List.of(jail.root()));
    args.addAll(jail.packages());
    ExecResult r = Remote.exec(target, Script.PACKAGES.command(args, PACKAGES_TIMEOUT), where);
    if (r.exitCode() == 4) {
      throw new ActionException(where + ": packages " + jail.packages() + " need apt inside the jail, but image `"
          + jail.image() + "` has no /usr/bin/apt-get");
    }
    if (!r.ok()) {
      throw new ActionException("cannot install packages " + jail.packages() + " in " + where + " (exit "
          + r.exitCode() + ")" + r.details());
    }
  }

  private static Optional<Seen.Record> record(Target target, JailSettings jail, String where)
      throws ActionException {
    try {
      Optional<byte[]> bytes = target.transport().read(jail.directory() + "/" + ImageStore.JAIL_RECORD);
      if (bytes.isEmpty()) {
        return Optional.empty();
      }
      JsonNode node = JSON.readTree(new String(bytes.get(), StandardCharsets.UTF_8));
      Map<String, Object> properties = JSON.convertValue(node.path("properties"),
          new TypeReference<Map<String, Object>>() { });
      return Optional.of(new Seen.Record(node.path("image-dir").asText(""),
          properties == null ? Map.of() : properties));
    } catch (TransportException | JsonProcessingException e) {
      throw new ActionException("cannot read the record of " + where + ": " + e.getMessage(), e);
    }
  }

  private static void writeRecord(Target target, JailSettings jail, String imageDir, Change change, String where)
      throws ActionException {
    try {
      target.transport().write(jail.directory() + "/" + ImageStore.JAIL_RECORD,
          (recordText(imageDir, change.desired().properties()) + "\n").getBytes(StandardCharsets.UTF_8),
          FileAttributes.mode(0644));
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }

  /** {@code jail.json}: the image build and the desired properties, {@code running} aside (always true). */
  private static String recordText(String imageDir, Properties desired) {
    Map<String, Object> properties = new TreeMap<>(desired.asMap());
    properties.remove("running");
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("converge", "jail");
    record.put("image-dir", imageDir);
    record.put("properties", properties);
    try {
      return JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a jail's properties are always JSON", e);
    }
  }

  private static String checkedName(String name) {
    return JailSettings.requireName(name);
  }

  private interface Check<T> {
    T get();
  }

  private static <T> T checked(String where, Check<T> check) throws ActionException {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw new ActionException(where + ": " + e.getMessage() + "; nothing was changed", e);
    }
  }
}

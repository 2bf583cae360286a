package dev.converge.lab;

import dev.converge.driver.Command;
import dev.converge.driver.Endpoint;
import dev.converge.driver.ExecResult;
import dev.converge.engine.Endpoints;
import dev.converge.lab.LabState.HostRecord;
import dev.converge.lab.LabState.LinkRecord;
import dev.converge.lab.LabStatus.HostStatus;
import dev.converge.spec.Cidr;
import dev.converge.spec.Host;
import dev.converge.spec.Image;
import dev.converge.spec.Network;
import dev.converge.spec.Spec;
import dev.converge.spec.Ssh;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spec's hosts materialised on this Linux machine, so that the real engine can converge them over SSH without
 * touching the machine itself.
 *
 * <p>Every host of the spec ({@code transport: local} ones too) becomes its own network, mount, PID, UTS and cgroup
 * namespaces, with sshd as PID 1 listening on a management address in a /24 of 10.250.0.0/16 that overlaps no
 * route of the machine; a veth joins it to a bridge in the root namespace holding the gateway address. Hosts have
 * no route out of the lab, and the bridge does not forward. Each host sees the machine's /etc, /var, /usr, /opt,
 * /srv, /home and /root through copy-on-write overlays (what it writes there stays its own), has a private /run,
 * /tmp and /dev/shm, and sees every other directory of the machine read-only. Each link of a {@code kind: links}
 * network becomes a veth pair between the two hosts, named by {@code Network#linkInterface}, up, without addresses.
 *
 * <p>What the lab keeps is under {@code STATE_DIR/lab/}: {@code lab.json} (what was made, written before it is made),
 * the client key, {@code known_hosts}, {@code ssh_config} and each host's keys, configuration and console log. The
 * hosts' writable layers are under {@code /run/converge-lab/PREFIX/}. Names carry the lab's prefix (see
 * {@link #prefix()}), derived from the site and the state directory, so that two labs coexist.
 *
 * <p>Must run as root on Linux. {@link #up} and {@link #down} hold a machine-wide lock; the other methods only
 * read. Instances are immutable and thread-safe.
 */
public final class Lab {

  private static final Logger LOG = LoggerFactory.getLogger(Lab.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration BANNER_TIMEOUT = Duration.ofMillis(500);
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);
  private static final int PARALLELISM = 8;
  private static final int CONSOLE_TAIL = 20;
  private static final String HOST_KEY = "ssh_host_ed25519_key";
  private static final String HOST_INIT = "hostinit.sh";
  private static final String PLATFORM = "linux";
  private static final Map<String, String> HOST_ENVIRONMENT =
      Map.of("PATH", ProcessRunner.PATH, "HOME", "/root", "LC_ALL", "C");

  private final Spec spec;
  private final Path stateDirectory;
  private final Path directory;
  private final LabNames names;
  private final Path runtimeRoot;
  private final LabStateFile stateFile;

  private Lab(Spec spec, Path stateDirectory, Path runtimeRoot) {
    this.spec = spec;
    this.stateDirectory = stateDirectory.toAbsolutePath().normalize();
    this.directory = this.stateDirectory.resolve("lab");
    this.names = LabNames.of(spec.site(), this.stateDirectory);
    this.runtimeRoot = runtimeRoot;
    this.stateFile = new LabStateFile(directory.resolve("lab.json"));
    spec.hosts().keySet().forEach(names::netns);
    if (spec.hosts().size() > ManagementSubnet.MAX_HOSTS) {
      throw new LabException("the lab holds at most " + ManagementSubnet.MAX_HOSTS + " hosts (one /24), the spec has "
          + spec.hosts().size());
    }
  }

  /**
   * The lab of {@code spec} whose data lives in {@code stateDirectory/lab/}. No side effects: nothing is read or
   * made until a method is called.
   *
   * @throws LabException if a site or host name cannot name lab resources, or the spec has more than 253 hosts
   */
  public static Lab of(Spec spec, Path stateDirectory) {
    return new Lab(spec, stateDirectory, RuntimeDirectory.ROOT);
  }

  /**
   * {@code cv-<site>-<id>}: the host {@code H}'s network namespace is {@code PREFIX-H}; the lab's interfaces in the
   * root namespace start with {@code cv<id>}.
   */
  public String prefix() {
    return names.prefix();
  }

  /** {@code STATE_DIR/lab}: lab.json, keys, known_hosts, ssh_config, console logs. */
  public Path directory() {
    return directory;
  }

  /** The lab's private key for root on every host (ed25519); exists once the lab is up. */
  public Path identity() {
    return directory.resolve("id_ed25519");
  }

  /** known_hosts with every host's key, under its name and its address; exists once the lab is up. */
  public Path knownHosts() {
    return directory.resolve("known_hosts");
  }

  /** The OpenSSH client configuration that {@link #sshConfig()} returns, as a file: {@code ssh -F FILE HOST}. */
  public Path sshConfigFile() {
    return directory.resolve("ssh_config");
  }

  // ------------------------------------------------------------------------------------------------ status

  /** The lab as the machine shows it now: which hosts run, their addresses, whether their sshd answers. */
  public LabStatus status() {
    Optional<LabState> recorded = ownState();
    Optional<String> subnet = recorded.flatMap(LabState::subnetIfChosen);
    boolean bridge = subnet.map(this::bridgeHoldsGateway).orElse(false);
    Set<String> all = new TreeSet<>(spec.hosts().keySet());
    recorded.ifPresent(r -> all.addAll(r.hosts().keySet()));
    List<HostStatus> hosts = new ArrayList<>();
    for (String name : all) {
      Optional<HostRecord> h = recorded.map(r -> r.hosts().get(name));
      boolean up = h.map(Lab::isAlive).orElse(false);
      boolean ssh = up && bridge
          && SshBanner.answers(Cidr.address(h.get().address()), SshFiles.PORT, STATUS_TIMEOUT);
      hosts.add(new HostStatus(name, up, h.filter(r -> r.pid() > 0).map(r -> OptionalLong.of(r.pid()))
          .orElse(OptionalLong.empty()), h.map(HostRecord::address), ssh, spec.hosts().containsKey(name)));
    }
    boolean labUp = bridge && hosts.stream().filter(HostStatus::inSpec).allMatch(HostStatus::sshReachable);
    return new LabStatus(names.prefix(), subnet, labUp, hosts);
  }

  // ------------------------------------------------------------------------------------------------ up

  /**
   * Makes the machine hold exactly the spec's hosts and links, and returns once every host's sshd answers.
   * Idempotent: hosts that run are left alone (same processes), hosts the spec added are made, hosts it dropped are
   * removed, and so are links; a host found dead is made again. Missing packages are installed first on Debian and
   * Ubuntu (said on {@code progress}), and the mirrors the spec's images need filled ({@link #prepareMirrors}). On
   * failure what was made stays, recorded, for {@link #down()} to remove.
   *
   * @param progress one line per step, for the user
   * @throws LabException naming the host and with its console log's last lines when a host fails
   */
  public void up(Consumer<String> progress) {
    Prerequisites.ensure(progress);
    // before the hosts mount their view of /var: files changed under a mounted overlay may not show through it
    prepareMirrors(progress);
    RuntimeDirectory.check(names.runtimeDirectory(runtimeRoot));
    long start = System.nanoTime();
    try (MachineLock lock = MachineLock.acquire();
        Workers workers = new Workers()) {
      createDirectory(directory);
      LabState state = adopt(progress);
      boolean bridgeExisted = Ip.link(names.bridge()).isPresent();
      state = ensureBridge(state, progress);
      state = removeStale(state, bridgeExisted, progress);
      Set<String> present = state.hosts().keySet();
      List<String> added = spec.hosts().keySet().stream().filter(h -> !present.contains(h)).toList();
      state = addHosts(state, added, workers, progress);
      state = reconcileLinks(state, workers, progress);
      state = startHosts(state, added, workers);
      writeClientFiles(state);
      awaitReady(state, added, workers);
      if (!added.isEmpty()) {
        progress.accept(String.format("%d host%s ready in %.1f s", added.size(), added.size() == 1 ? "" : "s",
            (System.nanoTime() - start) / 1e9));
      }
    }
  }

  /**
   * The recorded state if it is this lab's; else the previous lab of this state directory (made under another site
   * name, say) is removed first, and so is anything this lab's names left without a record.
   */
  private LabState adopt(Consumer<String> progress) {
    Optional<LabState> recorded = stateFile.read();
    if (recorded.isPresent() && recorded.get().names().equals(names)) {
      return recorded.get();
    }
    recorded.ifPresent(old -> {
      progress.accept("removing the previous lab " + old.names().prefix() + " of this state directory");
      new Teardown(old.names(), runtimeRoot).removeAll(Optional.of(old));
    });
    Teardown teardown = new Teardown(names, runtimeRoot);
    if (teardown.anythingLeft()) {
      progress.accept("removing what an earlier " + names.prefix() + " left without a record");
      teardown.removeAll(Optional.empty());
    }
    LabState fresh = LabState.empty(names, stateDirectory.toString());
    stateFile.write(fresh);
    return fresh;
  }

  private LabState ensureBridge(LabState state, Consumer<String> progress) {
    Optional<Ip.Link> bridge = Ip.link(names.bridge());
    if (bridge.isPresent() && !bridge.get().alias().equals(Optional.of(names.bridgeAlias()))) {
      throw new LabException("interface " + names.bridge() + " exists and is not this lab's bridge (its alias is `"
          + bridge.get().alias().orElse("") + "`, expected `" + names.bridgeAlias() + "`): another lab's names"
          + " hash alike; use another state directory for this one");
    }
    LabState s = state;
    if (s.subnetIfChosen().isEmpty()) {
      s = s.withSubnet(ManagementSubnet.choose(names.prefix(), Ip.ipv4RouteDestinations()).toString());
      stateFile.write(s);
    }
    if (bridge.isEmpty()) {
      Cidr subnet = Cidr.parse(s.subnet());
      progress.accept("lab " + names.prefix() + ": management network " + subnet + " on bridge " + names.bridge());
      Ip.addBridge(names.bridge(), names.bridgeAlias(),
          ManagementSubnet.gateway(subnet).getHostAddress() + "/" + subnet.prefix());
      isolate(names.bridge());
      Ip.setUp(names.bridge());
    }
    return s;
  }

  /**
   * The root namespace must never route for the lab: packets arriving on the bridge are not forwarded (IPv4), and
   * the bridge has no IPv6 at all. A lab host that adds a default route via the gateway still reaches nothing.
   */
  private static void isolate(String bridge) {
    writeSysctl(Path.of("/proc/sys/net/ipv4/conf", bridge, "forwarding"), "0");
    writeSysctl(Path.of("/proc/sys/net/ipv6/conf", bridge, "disable_ipv6"), "1");
  }

  private static void writeSysctl(Path file, String value) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Removes hosts the spec dropped and hosts found dead (those are made again); links that involve them go too. */
  private LabState removeStale(LabState state, boolean bridgeExisted, Consumer<String> progress) {
    Map<String, HostRecord> stale = new TreeMap<>();
    for (Map.Entry<String, HostRecord> e : state.hosts().entrySet()) {
      String host = e.getKey();
      if (!spec.hosts().containsKey(host)) {
        progress.accept("removing host " + host + " (no longer in the spec)");
        stale.put(host, e.getValue());
      } else if (!bridgeExisted || !isAlive(e.getValue())) {
        progress.accept("host " + host + " is not running: making it again");
        stale.put(host, e.getValue());
      }
    }
    new Teardown(names, runtimeRoot).removeHosts(stale);
    LabState s = state;
    for (String host : stale.keySet()) {
      s = s.withoutHost(host);
      Teardown.deleteDirectory(hostDirectory(host));
    }
    if (!stale.isEmpty()) {
      stateFile.write(s);
    }
    return s;
  }

  private LabState addHosts(LabState state, List<String> added, Workers workers, Consumer<String> progress) {
    if (added.isEmpty()) {
      return state;
    }
    progress.accept("creating host" + (added.size() == 1 ? " " : "s ") + String.join(", ", added));
    ensureClientKey();
    writeHostInit();
    LabState s = state;
    Set<String> vethsInUse = s.hosts().values().stream().map(HostRecord::veth).collect(Collectors.toSet());
    Set<String> addressesInUse = s.hosts().values().stream().map(HostRecord::address).collect(Collectors.toSet());
    Cidr subnet = Cidr.parse(s.subnet());
    int next = 1;
    for (String host : added) {
      String veth = names.managementVeth(host);
      if (!vethsInUse.add(veth)) {
        throw new LabException(null, "hosts of this lab get the same interface name " + veth + ": rename `" + host
            + "` (host names longer than 8 characters are told apart by their first 3 and a hash)", null);
      }
      String address;
      do {
        address = ManagementSubnet.host(subnet, next++).getHostAddress();
      } while (addressesInUse.contains(address));
      addressesInUse.add(address);
      s = s.withHost(host, new HostRecord(names.netns(host), veth, address, 0, 0));
    }
    stateFile.write(s);
    LabState intent = s;
    workers.forEach(added, host -> {
      prepareHost(host, intent.hosts().get(host));
      return null;
    });
    return intent;
  }

  /** Files, namespace and management veth of a new host; its init starts once its links exist. */
  private void prepareHost(String host, HostRecord record) {
    Path dir = hostDirectory(host);
    Teardown.deleteDirectory(dir);
    createDirectory(dir);
    SshFiles.generateKey(dir.resolve(HOST_KEY), "converge-lab " + host);
    try {
      Files.writeString(dir.resolve("sshd_config"), SshFiles.sshdConfig(record.address()));
      Files.copy(SshFiles.publicKeyOf(identity()), dir.resolve("authorized_keys"));
      Files.writeString(console(host), "");
    } catch (IOException e) {
      throw new LabException(host, "cannot write the files of host `" + host + "` in " + dir + ": "
          + e.getMessage(), e);
    }
    Path runtime = new Teardown(names, runtimeRoot).hostRuntimeDirectory(host);
    Teardown.deleteDirectory(runtime);
    createDirectory(runtime);
    Ip.addNamespace(record.netns());
    Ip.addManagementVeth(record.veth(), names.bridge(), record.netns(),
        names.managementMac(Cidr.address(record.address())));
  }

  /** Makes the spec's links that are missing and removes the ones it dropped; forgets recorded ones that vanished. */
  private LabState reconcileLinks(LabState state, Workers workers, Consumer<String> progress) {
    List<LinkRecord> desired = desiredLinks();
    Map<String, Set<String>> interfaces = new HashMap<>();
    LabState s = state;
    for (LinkRecord link : state.links()) {
      boolean exists = interfacesOf(link.a(), state, interfaces).contains(link.interfaceA())
          && interfacesOf(link.b(), state, interfaces).contains(link.interfaceB());
      if (!desired.contains(link)) {
        progress.accept("removing link " + link.a() + " - " + link.b() + " (" + link.network() + ")");
        if (exists) {
          Ip.deleteLink(state.hosts().get(link.a()).netns(), link.interfaceA());
        }
        s = s.withoutLink(link);
      } else if (!exists) {
        s = s.withoutLink(link);
      }
    }
    Set<LinkRecord> recorded = Set.copyOf(s.links());
    List<LinkRecord> missing = desired.stream().filter(l -> !recorded.contains(l)).toList();
    for (LinkRecord link : missing) {
      s = s.withLink(link);
    }
    if (!s.equals(state)) {
      stateFile.write(s);
    }
    LabState intent = s;
    workers.forEach(missing, link -> {
      Ip.addLink(intent.hosts().get(link.a()).netns(), link.interfaceA(), intent.hosts().get(link.b()).netns(),
          link.interfaceB());
      return null;
    });
    if (!missing.isEmpty()) {
      progress.accept("linked " + missing.size() + " pair" + (missing.size() == 1 ? "" : "s") + " of hosts");
    }
    return intent;
  }

  /** The interfaces in {@code host}'s network namespace, asked once per host. */
  private static Set<String> interfacesOf(String host, LabState state, Map<String, Set<String>> cache) {
    return cache.computeIfAbsent(host, h -> Ip.links(state.hosts().get(h).netns()).stream().map(Ip.Link::name)
        .collect(Collectors.toSet()));
  }

  /** Starts the init of each of {@code hosts} and records its PID; links exist by then. */
  private LabState startHosts(LabState state, List<String> hosts, Workers workers) {
    if (hosts.isEmpty()) {
      return state;
    }
    Path script = directory.resolve(HOST_INIT);
    int prefixLength = Cidr.parse(state.subnet()).prefix();
    Map<String, HostRecord> started =
        workers.forEach(hosts, host -> start(host, state.hosts().get(host), script, prefixLength));
    LabState s = state;
    for (Map.Entry<String, HostRecord> e : started.entrySet()) {
      s = s.withHost(e.getKey(), e.getValue());
    }
    stateFile.write(s);
    return s;
  }

  private List<LinkRecord> desiredLinks() {
    List<LinkRecord> links = new ArrayList<>();
    Map<String, String> used = new HashMap<>();
    for (Network n : spec.networks().values()) {
      if (n.kind() != Network.Kind.LINKS) {
        continue;
      }
      for (Network.Link l : n.links()) {
        LinkRecord link = new LinkRecord(n.name(), l.a(), l.b(), linkInterface(n, l.b()), linkInterface(n, l.a()));
        claim(used, l.a(), link.interfaceA(), link);
        claim(used, l.b(), link.interfaceB(), link);
        links.add(link);
      }
    }
    Collections.sort(links);
    return links;
  }

  private static void claim(Map<String, String> used, String host, String iface, LinkRecord link) {
    String what = "the link " + link.a() + " - " + link.b() + " of network " + link.network();
    String other = used.putIfAbsent(host + " " + iface, what);
    if (other != null) {
      throw new LabException("on host " + host + ", " + what + " and " + other + " both get interface " + iface
          + ": expected names that differ in their first 6 (network) or 8 (host) characters");
    }
  }

  /** The same rule as core's {@code Network#linkInterface}, which replaces this helper once it is merged. */
  private static String linkInterface(Network network, String peer) {
    String name = network.name();
    return name.substring(0, Math.min(6, name.length())) + "-" + peer.substring(0, Math.min(8, peer.length()));
  }

  /** Starts the host's init: sshd becomes PID 1 of a new PID namespace inside the host's network namespace. */
  private HostRecord start(String host, HostRecord record, Path script, int prefixLength) {
    List<String> argv = new ArrayList<>(List.of(Tool.SETSID.path(), Tool.IP.path(), "netns", "exec",
        record.netns(), Tool.UNSHARE.path(), "--uts", "--mount", "--pid", "--cgroup", "--fork", "--kill-child",
        "--mount-proc", "/bin/sh", script.toString(), host,
        new Teardown(names, runtimeRoot).hostRuntimeDirectory(host).toString(), hostDirectory(host).toString(),
        record.address() + "/" + prefixLength, Tool.SSHD.path()));
    argv.addAll(RuntimeDirectory.OVERLAID);
    ProcessBuilder pb = new ProcessBuilder(argv)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(console(host).toFile()));
    pb.environment().clear();
    pb.environment().putAll(HOST_ENVIRONMENT);
    try {
      // setsid and ip netns exec exec in place: the PID is unshare's, and unshare holds the namespaces
      Process p = pb.start();
      long pid = p.pid();
      return record.started(pid, Procfs.startTime(pid).orElse(0));
    } catch (IOException e) {
      throw new LabException(host, "cannot start host `" + host + "`: " + e.getMessage(), e);
    }
  }

  private void awaitReady(LabState state, List<String> hosts, Workers workers) {
    Deadline deadline = Deadline.in(READY_TIMEOUT);
    workers.forEach(hosts, host -> {
      HostRecord h = state.hosts().get(host);
      InetAddress address = Cidr.address(h.address());
      while (!SshBanner.answers(address, SshFiles.PORT, BANNER_TIMEOUT)) {
        if (!Procfs.isRunning(h.pid())) {
          throw hostFailure(host, "its init exited before sshd answered on " + h.address() + ":" + SshFiles.PORT);
        }
        if (deadline.passed()) {
          throw hostFailure(host, "sshd did not answer on " + h.address() + ":" + SshFiles.PORT + " within "
              + deadline.length().toSeconds() + " s");
        }
        deadline.pause();
      }
      return null;
    });
  }

  private void ensureClientKey() {
    if (!Files.exists(identity()) || !Files.exists(SshFiles.publicKeyOf(identity()))) {
      SshFiles.generateKey(identity(), "converge-lab " + names.prefix());
    }
  }

  private void writeHostInit() {
    Path script = directory.resolve(HOST_INIT);
    try (InputStream in = Lab.class.getResourceAsStream(HOST_INIT)) {
      if (in == null) {
        throw new IllegalStateException(HOST_INIT + " is missing from the lab's jar");
      }
      Files.write(script, in.readAllBytes());
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new LabException("cannot write " + script + ": " + e.getMessage(), e);
    }
  }

  private void writeClientFiles(LabState state) {
    Map<String, String> addresses = new LinkedHashMap<>();
    Map<String, String> keys = new HashMap<>();
    state.hosts().forEach((host, h) -> {
      addresses.put(host, h.address());
      keys.put(host, SshFiles.publicKey(hostDirectory(host).resolve(HOST_KEY)));
    });
    try {
      Files.writeString(knownHosts(), SshFiles.knownHosts(addresses, keys));
      Files.writeString(sshConfigFile(), SshFiles.clientConfig(addresses, identity(), knownHosts()));
    } catch (IOException e) {
      throw new LabException("cannot write the lab's SSH client files in " + directory + ": " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------------------ mirrors

  /**
   * Fills the lab's Debian mirrors that the spec's debootstrap images name: for every image whose {@code mirror} is
   * {@code file://}{@link DebianMirror#ROOT}{@code /SUITE}, the mirror of SUITE on this machine gets what
   * debootstrap installs for the image's variant and packages, fetched with {@code debootstrap --print-debs} and
   * {@code apt-get download} from this machine's apt sources (the network is used here, on the machine, since lab
   * hosts have none). Images with any other mirror are left alone. Idempotent and cheap: a set filled before costs
   * one file read. Filling needs root; it holds a lock of its own (not the lab's), so it may run before or after
   * {@link #up}, best before: lab hosts see the machine's /var through overlays.
   *
   * @param progress one line per mirror filled, and per package installation, for the user
   * @throws LabException naming what failed, with the failed command's last lines of errors
   */
  public void prepareMirrors(Consumer<String> progress) {
    prepareMirrors(new DebianMirror(), progress);
  }

  void prepareMirrors(DebianMirror mirror, Consumer<String> progress) {
    for (Image image : spec.images().values()) {
      if (image.source() instanceof Image.Debootstrap d
          && d.mirror().filter(m -> mirror.serves(m, d.suite())).isPresent()) {
        mirror.ensure(d.suite(), d.variant(), d.packages(), progress);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ down

  /**
   * Removes everything the lab made: its hosts (every process in them, by PID), veths, namespaces, bridge, runtime
   * directories, and {@code STATE_DIR/lab}. Works after a crash or SIGKILL in the middle of {@link #up}, and without
   * lab.json, from the lab's names. Doing nothing is fine: down of a lab that is not there succeeds.
   *
   * @throws LabException naming what could not be removed
   */
  public void down() {
    Prerequisites.requireRoot();
    try (MachineLock lock = MachineLock.acquire()) {
      Optional<LabState> recorded = stateFile.read();
      recorded.filter(r -> !r.names().equals(names))
          .ifPresent(old -> new Teardown(old.names(), runtimeRoot).removeAll(Optional.of(old)));
      new Teardown(names, runtimeRoot).removeAll(recorded.filter(r -> r.names().equals(names)));
      Teardown.deleteDirectory(directory);
    }
  }

  /**
   * Takes down the lab recorded in {@code stateDirectory/lab/}, as {@link #down} does, without the spec that made it:
   * for when that spec no longer loads (an edit broke it, or it is gone). Returns false when nothing is recorded there.
   *
   * @throws LabException naming what could not be removed
   */
  public static boolean downRecorded(Path stateDirectory) {
    Path directory = stateDirectory.toAbsolutePath().normalize().resolve("lab");
    Prerequisites.requireRoot();
    try (MachineLock lock = MachineLock.acquire()) {
      Optional<LabState> recorded = new LabStateFile(directory.resolve("lab.json")).read();
      if (recorded.isEmpty()) {
        return false;
      }
      new Teardown(recorded.get().names(), RuntimeDirectory.ROOT).removeAll(recorded);
      Teardown.deleteDirectory(directory);
      return true;
    }
  }

  // ------------------------------------------------------------------------------------------------ exec

  /**
   * Runs {@code argv} inside {@code host} (all of its namespaces, like {@code docker exec}; no SSH involved), with
   * this process's standard input, output and error, and returns its exit status.
   *
   * @throws LabException if the host is not up
   */
  public int exec(String host, List<String> argv) {
    ProcessBuilder pb = new ProcessBuilder(enter(host, argv)).inheritIO();
    pb.environment().clear();
    pb.environment().putAll(HOST_ENVIRONMENT);
    Optional.ofNullable(System.getenv("TERM")).ifPresent(t -> pb.environment().put("TERM", t));
    try {
      return pb.start().waitFor();
    } catch (IOException e) {
      throw new LabException(host, "cannot run " + argv.get(0) + " in host `" + host + "`: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException(host, "interrupted while running " + argv.get(0) + " in host `" + host + "`", e);
    }
  }

  /**
   * Runs {@code command} inside {@code host} as {@link #exec} does, but with the command's input and timeout, and
   * returns what it printed.
   *
   * @throws LabException if the host is not up or the command outlives its timeout
   */
  public ExecResult run(String host, Command command) {
    return ProcessRunner.run(enter(host, command.argv()), command.stdin(), command.timeout(),
        Map.of("HOME", "/root"));
  }

  /** {@code nsenter} into every namespace of the host's init, then {@code argv}. */
  private List<String> enter(String host, List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argv");
    }
    HostRecord h = ownState().map(s -> s.hosts().get(host)).orElse(null);
    if (h == null || !isAlive(h)) {
      throw new LabException(host, "host `" + host + "` is not up in lab " + names.prefix()
          + " (run converge lab up)", null);
    }
    long init = ProcessHandle.of(h.pid()).flatMap(p -> p.children().findFirst()).map(ProcessHandle::pid)
        .orElseThrow(() -> hostFailure(host, "its init process is gone"));
    List<String> full = new ArrayList<>(List.of(Tool.NSENTER.path(), "--target", Long.toString(init), "--net",
        "--mount", "--uts", "--pid", "--cgroup", "--"));
    full.addAll(argv);
    return full;
  }

  // ------------------------------------------------------------------------------------------------ SSH

  /**
   * An OpenSSH client configuration for the lab's hosts: {@code Host NAME}, {@code HostName} (its address),
   * {@code User root}, {@code IdentityFile}, {@code UserKnownHostsFile}, {@code StrictHostKeyChecking yes}. Also in
   * {@link #sshConfigFile()}.
   *
   * @throws LabException if the lab has never been up
   */
  public String sshConfig() {
    LabState state = requireState();
    Map<String, String> addresses = new LinkedHashMap<>();
    state.hosts().forEach((host, h) -> addresses.put(host, h.address()));
    return SshFiles.clientConfig(addresses, identity(), knownHosts());
  }

  /**
   * How the engine reaches the lab: every spec host over SSH as root at its lab address, port 22, with the lab's
   * key and known_hosts (strict host keys), and the spec's SSH timeouts; the platform is {@code linux} whatever the
   * spec's {@code os:} says, since lab hosts are Linux namespaces.
   *
   * @throws LabException if the lab has never been up
   */
  public Endpoints endpoints() {
    LabState state = requireState();
    Map<String, String> addresses = new HashMap<>();
    state.hosts().forEach((host, h) -> addresses.put(host, h.address()));
    Path identity = identity();
    Path knownHosts = knownHosts();
    String prefix = names.prefix();
    return new Endpoints() {
      @Override
      public Endpoint of(Spec s, String host) {
        String address = addresses.get(host);
        if (address == null) {
          throw new LabException(host, "host `" + host + "` is not in lab " + prefix + " (run converge lab up)",
              null);
        }
        Ssh ssh = Optional.ofNullable(s.hosts().get(host)).map(Host::ssh).orElse(Ssh.DEFAULTS);
        return Endpoint.ssh(host, address, SshFiles.PORT, SshFiles.USER, identity, knownHosts)
            .withTimeouts(ssh.connectTimeout(), ssh.commandTimeout(), ssh.keepAlive(), 3);
      }

      @Override
      public String platform(Spec s, String host) {
        return PLATFORM;
      }
    };
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private Optional<LabState> ownState() {
    return stateFile.read().filter(s -> s.names().equals(names));
  }

  private LabState requireState() {
    return ownState().filter(s -> s.subnetIfChosen().isPresent()).orElseThrow(() -> new LabException("lab "
        + names.prefix() + " is not up (no " + stateFile.path() + "): run converge lab up"));
  }

  /** The host's {@code unshare} runs, is the one recorded (same start time), and holds the host's namespace. */
  private static boolean isAlive(HostRecord h) {
    if (h.pid() <= 0 || !Procfs.isRunning(h.pid())) {
      return false;
    }
    OptionalLong started = Procfs.startTime(h.pid());
    if (started.isEmpty() || started.getAsLong() != h.startTime()) {
      return false;
    }
    OptionalLong netns = Procfs.namespaceInode(Ip.namespaceFile(h.netns()));
    return netns.isPresent() && Procfs.networkNamespaceOf(h.pid()).equals(netns);
  }

  /** The bridge holds the lab's gateway address: only then does traffic to the lab's subnet stay on the machine. */
  private boolean bridgeHoldsGateway(String subnet) {
    try {
      NetworkInterface bridge = NetworkInterface.getByName(names.bridge());
      InetAddress gateway = ManagementSubnet.gateway(Cidr.parse(subnet));
      return bridge != null && Collections.list(bridge.getInetAddresses()).contains(gateway);
    } catch (SocketException e) {
      return false;
    }
  }

  private Path hostDirectory(String host) {
    return directory.resolve("hosts").resolve(host);
  }

  private Path console(String host) {
    return hostDirectory(host).resolve("console.log");
  }

  private LabException hostFailure(String host, String what) {
    return new LabException(host, "host `" + host + "`: " + what + "\n" + consoleTail(host), null);
  }

  private String consoleTail(String host) {
    Path log = console(host);
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "last lines of " + log + ":\n" + ProcessRunner.lastLines(lines, CONSOLE_TAIL);
    } catch (IOException e) {
      return "(no console log at " + log + ")";
    }
  }

  private static void createDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new LabException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A small thread pool for per-host work; the first failure is thrown once every task has ended. */
  private static final class Workers implements AutoCloseable {
    private final ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
      Thread t = new Thread(r, "lab-worker");
      t.setDaemon(true);
      return t;
    });

    <T, R> Map<T, R> forEach(List<T> items, Function<T, R> task) {
      Map<T, Future<R>> futures = new LinkedHashMap<>();
      for (T item : items) {
        Callable<R> call = () -> task.apply(item);
        futures.put(item, pool.submit(call));
      }
      Map<T, R> results = new LinkedHashMap<>();
      LabException first = null;
      for (Map.Entry<T, Future<R>> e : futures.entrySet()) {
        try {
          results.put(e.getKey(), e.getValue().get());
        } catch (ExecutionException ex) {
          LabException failure = ex.getCause() instanceof LabException l ? l
              : new LabException(ex.getCause().toString(), ex.getCause());
          if (first == null) {
            first = failure;
          } else {
            first.addSuppressed(failure);
          }
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new LabException("interrupted", ex);
        }
      }
      if (first != null) {
        throw first;
      }
      return results;
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }
}

package dev.converge.dns.bind;

import dev.converge.dns.DnsConnection;
import dev.converge.dns.DnsException;
import dev.converge.dns.DnsServer;
import dev.converge.dns.TsigKeyFile;
import dev.converge.driver.ActionException;
import dev.converge.driver.Batching;
import dev.converge.driver.Command;
import dev.converge.driver.Driver;
import dev.converge.driver.ExecResult;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Readiness;
import dev.converge.driver.Target;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.Sensitive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@code dns-zone/HOST:ZONE}: BIND on HOST serves ZONE as a primary that the zone's TSIG key may update (RFC 2136)
 * and transfer. Properties: {@code zone}, {@code key} (sensitive: the whole tsig-keygen file), {@code ttl} and
 * {@code nameserver} (the default TTL and the address of {@code ns.ZONE.} in the initial zone file).
 *
 * <p><b>Probe.</b> One exec per batch: whether named runs (its pid file names a live process), whether converge's
 * fragment is included, the fragment, a SHA-256 digest of each key file (the key never leaves the host) and which
 * zone files exist. A zone is present when the fragment has its stanza; what keeps it from being served (named
 * stopped, fragment not included, zone file missing) is shown in its {@code zone} field, so the diff names it and
 * apply repairs it. {@code key} is echoed only when the stanza grants the desired key and the key file holds exactly
 * it. {@code ttl} and {@code nameserver} only shape the initial zone file, which converge never rewrites (from then
 * on dynamic updates own the zone), so they are echoed from the desired state.
 *
 * <p><b>Apply.</b> Every change of a host at once ({@link Batching}), serialised per host since they rewrite one
 * file: the new key files and fragment are staged beside the live ones and checked alone with named-checkconf; then
 * they replace the live ones (the fragment included once from the platform's main file: one line appended, no other
 * line touched) and named's whole configuration is checked; a rejection puts the previous files back, so named never
 * loads a configuration that failed. Zone files are written only where none exists. Then named re-reads its
 * configuration, or is started when it is not running. A deleted zone loses its stanza and (once no zone uses it) its
 * key file; its zone file and journal stay, as {@code rndc delzone} without {@code -clean} leaves them: they hold
 * records converge did not necessarily write, and serving the zone again picks them up.
 *
 * <p><b>Readiness.</b> A query signed with the zone's key asks named on 127.0.0.1 (over the target's transport, so
 * no DNS tool is needed on the host or in the jail) for the zone's SOA without recursion; the zone is ready when the
 * answer is authoritative (the {@code aa} flag).
 */
public abstract class ZoneDriver implements Driver, Batching {

  public static final String KIND = "dns-zone";

  /** Exit status of {@link #INSTALL} when named-checkconf rejects converge's fragment alone; nothing was changed. */
  static final int FRAGMENT_REJECTED = 65;
  /** Exit status of {@link #INSTALL} when named's whole configuration failed; the previous files are back. */
  static final int CONFIG_REJECTED = 66;

  /** $1 converge's directory, $2 the file including its fragment, $3 the zone directory, $4 named's pid file; zones. */
  static final String PROBE = """
      conf=$1 include=$2 zones=$3 pid=$4
      shift 4
      digest() { if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else sha256 -q; fi; }
      if [ -r "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; then echo 'named running'; else echo 'named stopped'; fi
      if [ -r "$include" ] && grep -qxF "include \\"$conf/zones.conf\\";" "$include"; then echo 'include yes'
      else echo 'include no'; fi
      if [ -f "$conf/zones.conf" ]; then echo zones.conf; sed 's/^/| /' "$conf/zones.conf"; fi
      for k in "$conf"/*.key; do
        [ -f "$k" ] || continue
        n=${k##*/}
        printf 'key %s %s\\n' "${n%.key}" "$(digest < "$k")"
      done
      for z do
        if [ -e "$zones/db.$z" ]; then printf 'zonefile %s yes\\n' "$z"; else printf 'zonefile %s no\\n' "$z"; fi
      done
      """;

  /**
   * $1 converge's directory, $2 the zone directory, $3 named's group. Makes both directories (the zone directory
   * writable by named, which journals updates there), an empty staging directory, and prints the live fragment.
   */
  static final String PREPARE = """
      set -e
      conf=$1 zones=$2 group=$3
      install -d -m 0750 -g "$group" "$conf"
      rm -rf "$conf/.new"
      install -d -m 0750 -g "$group" "$conf/.new"
      install -d -m 0750 -o "$group" -g "$group" "$zones"
      if [ -f "$conf/zones.conf" ]; then cat "$conf/zones.conf"; fi
      """;

  /**
   * $1 converge's directory, $2 the file including its fragment, $3 the zone directory, $4 named's group, $5 named's
   * main configuration, $6 named's pid file; then {@code k:KEY} per staged key file, {@code r:KEY} per key file no
   * zone uses any more, {@code z:ZONE} per staged initial zone file. Prints whether named runs.
   */
  static final String INSTALL = """
      set -u
      conf=$1 include=$2 zones=$3 group=$4 main=$5 pid=$6
      shift 6
      new=$conf/.new old=$conf/.old
      if ! out=$(named-checkconf "$new/check.conf" 2>&1); then echo "$out" >&2; rm -rf "$new"; exit 65; fi
      rm -rf "$old" && mkdir -m 0700 "$old" || exit 1
      if [ -f "$conf/zones.conf" ]; then cp -p "$conf/zones.conf" "$old/" || exit 1; fi
      for a do case $a in k:*)
        if [ -f "$conf/${a#k:}.key" ]; then cp -p "$conf/${a#k:}.key" "$old/" || exit 1; fi;; esac; done
      for a do case $a in k:*) mv -f "$new/${a#k:}.key" "$conf/" || exit 1;; esac; done
      mv -f "$new/zones.conf" "$conf/zones.conf" || exit 1
      if ! grep -qxF "include \\"$conf/zones.conf\\";" "$include"; then
        if [ -s "$include" ] && [ -n "$(tail -c 1 "$include")" ]; then echo >> "$include"; fi
        printf 'include "%s";\\n' "$conf/zones.conf" >> "$include" || exit 1
      fi
      if ! out=$(named-checkconf "$main" 2>&1); then
        for a do case $a in k:*)
          if [ -f "$old/${a#k:}.key" ]; then mv -f "$old/${a#k:}.key" "$conf/"; else rm -f "$conf/${a#k:}.key"; fi;;
        esac; done
        if [ -f "$old/zones.conf" ]; then mv -f "$old/zones.conf" "$conf/"; else : > "$conf/zones.conf"; fi
        rm -rf "$old" "$new"
        echo "$out" >&2
        exit 66
      fi
      for a do case $a in r:*) rm -f "$conf/${a#r:}.key";; esac; done
      for a do case $a in z:*)
        z=${a#z:}
        if [ ! -e "$zones/db.$z" ]; then
          cp "$new/db.$z" "$zones/.db.$z.converge" && chown "$group:$group" "$zones/.db.$z.converge" \\
            && chmod 0644 "$zones/.db.$z.converge" && mv -f "$zones/.db.$z.converge" "$zones/db.$z" || exit 1
        fi;;
      esac; done
      rm -rf "$old" "$new"
      if [ -r "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; then echo running; else echo stopped; fi
      """;

  /** named as the zone's own host (or jail) sees it. */
  private static final DnsServer LOCAL_SERVER = new DnsServer("127.0.0.1", 53);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

  private final BindPlatform platform;
  private final Map<String, Object> hostLocks = new ConcurrentHashMap<>();

  ZoneDriver(BindPlatform platform) {
    this.platform = platform;
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Starts named, which {@link #INSTALL} found not running, and has it start at boot. */
  abstract void startNamed(Target target) throws ActionException;

  /** Installs BIND's package unless it is there: a host becomes authoritative without a `packages:` entry. */
  abstract void ensureInstalled(Target target) throws ActionException;

  // ---------------------------------------------------------------------------------------------------- probe

  @Override
  public List<Observation> probe(Target target, List<Resource> batch) throws ProbeException {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> argv = new ArrayList<>(List.of("sh", "-c", PROBE, "sh", platform.confDir(),
        platform.includedFrom(), platform.zoneDir(), platform.pidFile()));
    for (Resource r : batch) {
      argv.add(zoneName(r, target, ProbeException::new));
    }
    ExecResult r;
    try {
      r = target.transport().exec(Command.of(argv));
    } catch (TransportException e) {
      throw new ProbeException("cannot probe dns zones on " + target.name() + ": " + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new ProbeException("cannot probe dns zones on " + target.name() + " (exit " + r.exitCode() + ")"
          + r.details());
    }
    BindState state;
    try {
      state = BindState.parse(r.out());
    } catch (IllegalStateException e) {
      throw new ProbeException("cannot probe dns zones on " + target.name() + ": " + e.getMessage(), e);
    }
    List<Observation> observations = new ArrayList<>(batch.size());
    for (Resource resource : batch) {
      observations.add(observe(resource, state, target));
    }
    return observations;
  }

  private Observation observe(Resource resource, BindState state, Target target) throws ProbeException {
    String zone = resource.id().name();
    String keyName = state.zones().keyOfZone().get(zone);
    if (keyName == null) {
      return Observation.absent(resource.id());
    }
    List<String> problems = new ArrayList<>();
    if (!state.running()) {
      problems.add("named is not running");
    }
    if (!state.included()) {
      problems.add(platform.zonesConf() + " is not included from " + platform.includedFrom());
    }
    if (!state.zoneFiles().contains(zone)) {
      problems.add("zone file " + platform.zoneFile(zone) + " is missing");
    }
    Properties.Builder seen = Properties.builder()
        .put(ServedZone.ZONE, problems.isEmpty() ? zone : zone + " (" + String.join("; ", problems) + ")");
    if (!resource.isPresent()) {
      return Observation.present(resource.id(), seen.put(ServedZone.KEY, new Sensitive("key " + keyName)).build());
    }
    ServedZone want;
    try {
      want = ServedZone.of(resource);
    } catch (IllegalArgumentException e) {
      throw new ProbeException(e.getMessage() + " (on " + target.name() + ")", e);
    }
    String digest = state.keyDigests().get(keyName);
    if (keyName.equals(want.key().name()) && sha256(want.key().render()).equals(digest)) {
      seen.put(ServedZone.KEY, resource.properties().get(ServedZone.KEY).orElseThrow());
    } else if (digest != null) {
      seen.put(ServedZone.KEY, new Sensitive("key " + keyName + " " + digest));
    }
    return Observation.present(resource.id(), seen
        .put(ServedZone.TTL, want.ttl())
        .put(ServedZone.NAMESERVER, want.nameserver())
        .build());
  }

  // ---------------------------------------------------------------------------------------------------- apply

  @Override
  public void apply(Target target, Change change) throws ActionException {
    applyAll(target, List.of(change));
  }

  @Override
  public void applyAll(Target target, List<Change> changes) throws ActionException {
    if (changes.isEmpty()) {
      return;
    }
    synchronized (hostLocks.computeIfAbsent(target.name(), h -> new Object())) {
      install(target, changes);
    }
  }

  private void install(Target target, List<Change> changes) throws ActionException {
    String where = "dns zones on " + target.name();
    Map<String, TsigKeyFile> keys = new TreeMap<>();
    List<ServedZone> served = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Change change : changes) {
      Resource desired = change.desired();
      zoneName(desired, target, ActionException::new);
      if (!desired.isPresent()) {
        removed.add(desired.id().name());
        continue;
      }
      ServedZone zone;
      try {
        zone = ServedZone.of(desired);
      } catch (IllegalArgumentException e) {
        throw new ActionException(e.getMessage() + " (on " + target.name() + ")", e);
      }
      TsigKeyFile other = keys.putIfAbsent(zone.key().name(), zone.key());
      if (other != null && !other.equals(zone.key())) {
        throw new ActionException("cannot change " + where + ": zones " + zone.zone() + " and another zone of this"
            + " run use two different keys both named " + other.name() + "; BIND knows a key by its name only");
      }
      served.add(zone);
    }

    if (!served.isEmpty()) {
      ensureInstalled(target);
    }
    ZonesConf before = ZonesConf.parse(run(target, where, "preparing " + platform.confDir(),
        List.of("sh", "-c", PREPARE, "sh", platform.confDir(), platform.zoneDir(), BindPlatform.GROUP)).out());
    ZonesConf after = desiredAfter(before, removed, served);

    String staging = platform.confDir() + "/.new/";
    for (TsigKeyFile key : keys.values()) {
      write(target, where, staging + key.name() + ".key", key.render(), 0640);
    }
    write(target, where, staging + "zones.conf", after.render(platform), 0640);
    write(target, where, staging + "check.conf",
        after.render(platform, k -> keys.containsKey(k) ? staging + k + ".key" : platform.keyFile(k)), 0640);
    for (ServedZone zone : served) {
      write(target, where, staging + "db." + zone.zone(), zone.initialZoneFile(), 0640);
    }

    List<String> argv = new ArrayList<>(List.of("sh", "-c", INSTALL, "sh", platform.confDir(),
        platform.includedFrom(), platform.zoneDir(), BindPlatform.GROUP, platform.mainConfig(), platform.pidFile()));
    keys.keySet().forEach(k -> argv.add("k:" + k));
    before.keyOfZone().values().stream().distinct().filter(k -> !after.usesKey(k)).forEach(k -> argv.add("r:" + k));
    served.forEach(z -> argv.add("z:" + z.zone()));
    ExecResult r = exec(target, where, argv);
    if (r.exitCode() == FRAGMENT_REJECTED) {
      throw new ActionException("cannot change " + where + ": named-checkconf rejected converge's zone configuration"
          + " (nothing was changed)" + r.details());
    }
    if (r.exitCode() == CONFIG_REJECTED) {
      throw new ActionException("cannot change " + where + ": named-checkconf rejected named's configuration with"
          + " converge's zones in " + platform.zonesConf() + " (the previous files are back in place and named was"
          + " not reloaded)" + r.details());
    }
    if (!r.ok()) {
      throw new ActionException("cannot change " + where + ": installing " + platform.zonesConf() + " failed (exit "
          + r.exitCode() + ")" + r.details());
    }
    if (r.out().strip().equals("running")) {
      run(target, where, String.join(" ", platform.reload()), platform.reload());
    } else {
      startNamed(target);
    }
  }

  private static ZonesConf desiredAfter(ZonesConf before, List<String> removed, List<ServedZone> served) {
    ZonesConf after = before;
    for (String zone : removed) {
      after = after.without(zone);
    }
    for (ServedZone zone : served) {
      after = after.with(zone.zone(), zone.key().name());
    }
    return after;
  }

  // ------------------------------------------------------------------------------------------------ readiness

  @Override
  public Readiness readiness(Target target, Resource resource) throws ProbeException {
    if (!resource.isPresent()) {
      return Readiness.READY;
    }
    ServedZone want;
    try {
      want = ServedZone.of(resource);
    } catch (IllegalArgumentException e) {
      throw new ProbeException(e.getMessage(), e);
    }
    String waiting = "named on " + target.name() + " to answer SOA " + want.zone() + " authoritatively";
    Transport transport;
    try {
      transport = target.transport();
    } catch (TransportException e) {
      throw new ProbeException("cannot ask named on " + target.name() + " for zone " + want.zone() + ": "
          + e.getMessage(), e);
    }
    try (DnsConnection named = DnsConnection.open(transport, LOCAL_SERVER, want.key(), READY_TIMEOUT)) {
      Message query = Message.newQuery(Record.newRecord(Name.fromString(want.zone(), Name.root), Type.SOA,
          DClass.IN));
      query.getHeader().unsetFlag(Flags.RD);
      return authoritativeSoa(named.exchange(query), waiting);
    } catch (DnsException | TextParseException e) {
      return Readiness.waitingFor(waiting + " (" + e.getMessage() + ")");
    }
  }

  /** Ready when the answer is NOERROR, authoritative and holds the SOA; else what it was instead. */
  static Readiness authoritativeSoa(Message answer, String waiting) {
    boolean aa = answer.getHeader().getFlag(Flags.AA);
    boolean soa = answer.getSection(Section.ANSWER).stream().anyMatch(r -> r.getType() == Type.SOA);
    if (answer.getRcode() == Rcode.NOERROR && aa && soa) {
      return Readiness.READY;
    }
    return Readiness.waitingFor(waiting + " (status " + Rcode.string(answer.getRcode())
        + (aa ? "" : ", not authoritative") + (soa ? "" : ", no SOA") + ")");
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  private interface Failure<E extends Exception> {
    E of(String message, Throwable cause);
  }

  private static <E extends Exception> String zoneName(Resource r, Target target, Failure<E> failure) throws E {
    try {
      return ServedZone.requireZoneName(r.id().name(), r.id() + " (on " + target.name() + ")");
    } catch (IllegalArgumentException e) {
      throw failure.of(e.getMessage(), e);
    }
  }

  private static ExecResult exec(Target target, String where, List<String> argv) throws ActionException {
    try {
      return target.transport().exec(Command.of(argv));
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": " + e.getMessage(), e);
    }
  }

  private static ExecResult run(Target target, String where, String what, List<String> argv)
      throws ActionException {
    ExecResult r = exec(target, where, argv);
    if (!r.ok()) {
      throw new ActionException("cannot change " + where + ": " + what + " failed (exit " + r.exitCode() + ")"
          + r.details());
    }
    return r;
  }

  private static void write(Target target, String where, String path, String content, int mode)
      throws ActionException {
    try {
      target.transport().write(path, content.getBytes(StandardCharsets.UTF_8),
          new FileAttributes(mode, Optional.of("root"), Optional.of(BindPlatform.GROUP)));
    } catch (TransportException e) {
      throw new ActionException("cannot change " + where + ": writing " + path + " failed: " + e.getMessage(), e);
    }
  }


  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

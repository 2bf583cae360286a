package dev.converge.dns.bind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.ExecResult;
import dev.converge.driver.Target;
import dev.converge.lab.TestLab;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.CountingTransport;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux dns-zone driver against Debian's bind9 in a lab host (its own namespaces, copy-on-write /etc and /var,
 * no systemd: named runs from /etc/init.d/named), reached over SSH as the engine reaches it. What BIND does is
 * checked with dig and nsupdate inside the host, never with the driver's own probe alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZoneDriverLabTest {

  private static final String HOST = "ns1";
  private static final String FIRST = "lab.test";
  private static final String SECOND = "second.lab.test";
  private static final String TAKEN = "taken.test";
  private static final String KEY_FILE = "/etc/bind/converge/lab-key.key";
  /** dig's header line with the aa flag among the others ({@code qr aa ra} for a querier named recurses for). */
  private static final Pattern AUTHORITATIVE = Pattern.compile("(?s).*;; flags:[a-z ]* aa[ ;].*");

  @TempDir static Path dir;
  private static TestLab lab;
  private static CountingTransport transport;
  private static Target target;
  private static final LinuxZoneDriver driver = new LinuxZoneDriver();
  private static final String firstKey = newKey("lab-key");
  private static final String secondKey = newKey("lab-key");

  @BeforeAll
  static void up() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root");
    lab = TestLab.up(dir, "site: dnszone\nhosts:\n  " + HOST + ": { address: 192.0.2.53 }\n");
    transport = lab.transport(HOST);
    target = lab.target(HOST);
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void aNewZone_isServedAuthoritatively_byANamedConvergeStarted() throws Exception {
    Resource zone = zone(FIRST, firstKey);
    assertThat(exitOf("sh", "-c", "[ -r /run/named/named.pid ] && kill -0 $(cat /run/named/named.pid)"))
        .as("named does not run yet").isNotZero();

    transport.reset();
    Change change = changeFor(zone).orElseThrow();
    assertThat(transport.roundTrips()).as("one exec probes the batch").isEqualTo(1);
    assertThat(change.type()).isEqualTo(ChangeType.CREATE);

    driver.applyAll(target, List.of(change));
    awaitReady(zone);

    assertThat(dig(FIRST, "SOA")).matches(AUTHORITATIVE).contains("status: NOERROR")
        .contains("ns.lab.test. hostmaster.lab.test. 1 3600 900 1209600 300");
    assertThat(dig("ns." + FIRST, "A")).contains("192.0.2.53");
    assertThat(host("stat", "-c", "%a %U:%G", KEY_FILE)).isEqualTo("640 root:bind");
    assertThat(host("grep", "-c", "converge", "/etc/bind/named.conf.local")).isEqualTo("1");
    assertThat(changeFor(zone)).as("converged").isEmpty();
  }

  @Test
  @Order(2)
  void theKey_mayUpdateTheZone_andNothingElseMay() {
    assertThat(nsupdate(KEY_FILE, "update add www.lab.test. 300 IN A 192.0.2.80")).isZero();
    assertThat(dig("www." + FIRST, "A")).contains("192.0.2.80").matches(AUTHORITATIVE);

    assertThat(exitOf("sh", "-c", "printf 'server 127.0.0.1\\nzone lab.test\\n"
        + "update add anon.lab.test. 300 IN A 192.0.2.81\\nsend\\n' | nsupdate")).as("unsigned update").isNotZero();
    assertThat(dig("anon." + FIRST, "A")).contains("status: NXDOMAIN");
  }

  @Test
  @Order(3)
  void aSecondProbe_findsNothingToDo_inOneRoundTrip() throws Exception {
    transport.reset();
    assertThat(changeFor(zone(FIRST, firstKey))).isEmpty();
    assertThat(transport.roundTrips()).isEqualTo(1);
  }

  @Test
  @Order(4)
  void aNewKey_replacesTheKeyFile_andNamedTakesTheNewOne_refusingTheOld() throws Exception {
    host("cp", KEY_FILE, "/root/old.key");
    Change change = changeFor(zone(FIRST, secondKey)).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("key");
    assertThat(change.fields().get(0).isSensitive()).isTrue();

    driver.applyAll(target, List.of(change));

    assertThat(host("cat", KEY_FILE)).isEqualTo(secondKey.strip());
    assertThat(nsupdate("/root/old.key", "update add old.lab.test. 300 IN A 192.0.2.82")).isNotZero();
    assertThat(nsupdate(KEY_FILE, "update add new.lab.test. 300 IN A 192.0.2.83")).isZero();
    assertThat(dig("new." + FIRST, "A")).contains("192.0.2.83");
    assertThat(dig("old." + FIRST, "A")).contains("status: NXDOMAIN");
    assertThat(dig("www." + FIRST, "A")).as("records survive").contains("192.0.2.80");
    assertThat(changeFor(zone(FIRST, secondKey))).isEmpty();
  }

  @Test
  @Order(5)
  void aSecondZone_isAddedBesideTheFirst_andNamedServesBoth() throws Exception {
    Resource second = zone(SECOND, secondKey);
    List<Change> changes = changes(zone(FIRST, secondKey), second);
    assertThat(changes).extracting(Change::id).containsExactly(second.id());

    driver.applyAll(target, changes);
    awaitReady(second);

    assertThat(dig(SECOND, "SOA")).matches(AUTHORITATIVE);
    assertThat(dig(FIRST, "SOA")).matches(AUTHORITATIVE);
    assertThat(dig("www." + FIRST, "A")).contains("192.0.2.80");
    assertThat(changes(zone(FIRST, secondKey), second)).isEmpty();
  }

  @Test
  @Order(6)
  void aZoneNamedAlreadyServes_isRefusedByNamedCheckconf_andTheRunningConfigurationStays() throws Exception {
    host("sh", "-c", "printf 'zone \"taken.test\" { type primary; file \"/etc/bind/db.empty\"; };\\n'"
        + " >> /etc/bind/named.conf.local");
    String before = host("cat", "/etc/bind/converge/zones.conf");
    Change change = changeFor(zone(TAKEN, secondKey)).orElseThrow();

    assertThatThrownBy(() -> driver.applyAll(target, List.of(change)))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("dns zones on ns1")
        .hasMessageContaining("named-checkconf rejected")
        .hasMessageContaining("taken.test")
        .hasMessageNotContaining(secret(secondKey));

    assertThat(host("cat", "/etc/bind/converge/zones.conf")).isEqualTo(before);
    assertThat(exitOf("ls", "/var/lib/bind/converge/db.taken.test")).as("no zone file").isNotZero();
    assertThat(dig(FIRST, "SOA")).matches(AUTHORITATIVE);
    assertThat(dig(SECOND, "SOA")).matches(AUTHORITATIVE);
  }

  @Test
  @Order(7)
  void aDeletedZone_losesItsStanza_keepsItsData_andNamedServesTheOther() throws Exception {
    List<Change> changes = changes(absent(FIRST), zone(SECOND, secondKey));
    assertThat(changes).extracting(Change::type).containsExactly(ChangeType.DELETE);

    driver.applyAll(target, changes);

    assertThat(host("cat", "/etc/bind/converge/zones.conf")).doesNotContain("\"lab.test\"").contains(SECOND);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(dig(FIRST, "SOA")).doesNotMatch(AUTHORITATIVE));
    assertThat(dig(SECOND, "SOA")).matches(AUTHORITATIVE);
    assertThat(driver.readiness(target, zone(FIRST, secondKey)).waitingFor())
        .contains("named on ns1 to answer SOA lab.test authoritatively (status");
    assertThat(host("ls", "/var/lib/bind/converge")).contains("db.lab.test");
    assertThat(host("stat", "-c", "%a", KEY_FILE)).as("the second zone still uses the key").isEqualTo("640");
    assertThat(changes(absent(FIRST), zone(SECOND, secondKey))).isEmpty();
  }

  @Test
  @Order(8)
  void namedStopped_isShownInTheZoneField_andStartedAgain() throws Exception {
    host("/etc/init.d/named", "stop");
    Resource second = zone(SECOND, secondKey);
    Change change = changeFor(second).orElseThrow();
    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("zone");
    assertThat(change.fields().get(0).before()).contains(SECOND + " (named is not running)");

    driver.applyAll(target, List.of(change));
    awaitReady(second);
    assertThat(changeFor(second)).isEmpty();
  }

  @Test
  @Order(9)
  void aKeyNamedCannotUse_isRejectedBeforeAnyLiveFileChanges() throws Exception {
    String before = host("cat", "/etc/bind/converge/zones.conf");
    String badKey = newKey("bad-key").replace("hmac-sha256", "hmac-nonesuch");
    Change change = changeFor(zone("bad.test", badKey)).orElseThrow();

    assertThatThrownBy(() -> driver.applyAll(target, List.of(change)))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("named-checkconf rejected converge's zone configuration (nothing was changed)")
        .hasMessageNotContaining(secret(badKey));

    assertThat(host("cat", "/etc/bind/converge/zones.conf")).isEqualTo(before);
    assertThat(exitOf("ls", "/etc/bind/converge/bad-key.key")).isNotZero();
    assertThat(dig(SECOND, "SOA")).matches(AUTHORITATIVE);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Resource zone(String name, String key) {
    return Resource.present(ResourceId.of(ZoneDriver.KIND, HOST, name), Properties.of(Map.of(
        "zone", name, "key", new Sensitive(key), "ttl", 300L, "nameserver", "192.0.2.53")), Location.unknown());
  }

  private static Resource absent(String name) {
    return Resource.absent(ResourceId.of(ZoneDriver.KIND, HOST, name), Location.unknown());
  }

  private static Optional<Change> changeFor(Resource resource) throws Exception {
    List<Change> changes = changes(resource);
    return changes.stream().findFirst();
  }

  /** The changes one probe of the batch yields. */
  private static List<Change> changes(Resource... batch) throws Exception {
    List<Observation> seen = driver.probe(target, List.of(batch));
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < batch.length; i++) {
      Differ.diff(batch[i], seen.get(i), driver.immutableFields()).ifPresent(changes::add);
    }
    return changes;
  }

  private static void awaitReady(Resource zone) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> driver.readiness(target, zone).ready());
  }

  private static String dig(String name, String type) {
    return lab.lab().run(HOST, Command.of("dig", "+norec", "+time=2", "+tries=1", "@127.0.0.1", name, type)).out();
  }

  private static int nsupdate(String keyFile, String update) {
    return lab.lab().run(HOST, Command.of("nsupdate", "-k", keyFile)
        .withStdin("server 127.0.0.1\nzone lab.test\n" + update + "\nsend\n")).exitCode();
  }

  /** The command's stdout, stripped; it must succeed. */
  private static String host(String... argv) {
    ExecResult r = lab.lab().run(HOST, Command.of(argv));
    assertThat(r.exitCode()).as("%s: %s", String.join(" ", argv), r.err()).isZero();
    return r.out().strip();
  }

  private static int exitOf(String... argv) {
    return lab.lab().run(HOST, Command.of(argv)).exitCode();
  }

  private static String newKey(String name) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return "key \"" + name + "\" {\n\talgorithm hmac-sha256;\n\tsecret \""
        + Base64.getEncoder().encodeToString(secret) + "\";\n};\n";
  }

  private static String secret(String key) {
    return key.substring(key.indexOf("secret \"") + 8, key.lastIndexOf('"'));
  }
}

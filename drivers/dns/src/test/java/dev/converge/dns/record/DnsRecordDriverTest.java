package dev.converge.dns.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.BindServer;
import dev.converge.transport.LocalTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The dns-record driver against a real BIND 9 on 127.0.0.1, checked with BIND's own dig and nsupdate. */
class DnsRecordDriverTest {

  private static final String ZONE = "my.domain";
  private static final String REVERSE = "3.16.172.in-addr.arpa";

  @RegisterExtension
  static final BindServer bind = BindServer.serving(ZONE, REVERSE, "bulk.test");

  private static final LocalTransport transport = new LocalTransport();
  private final Target target = new TestTarget("ns", "linux", transport);
  private final DnsRecordDriver driver = new DnsRecordDriver();

  @AfterAll
  static void closeTransport() {
    transport.close();
  }

  // ---------------------------------------------------------------- life cycle of one RRset

  @Test
  void createsAnRRsetThenFindsNothingToChange() throws Exception {
    Resource www = record(ZONE, "www.my.domain", "A", 60, "192.0.2.1", "192.0.2.2");

    assertThat(converge(www)).extracting(Change::type).containsExactly(ChangeType.CREATE);

    assertThat(bind.dig("www.my.domain", "A")).containsExactly("192.0.2.1", "192.0.2.2");
    assertThat(converge(www)).isEmpty();
  }

  @Test
  void updatesTtlAndAddressInPlace() throws Exception {
    converge(record(ZONE, "upd.my.domain", "A", 60, "192.0.2.10"));

    assertThat(converge(record(ZONE, "upd.my.domain", "A", 120, "192.0.2.10")))
        .extracting(Change::type).containsExactly(ChangeType.UPDATE);
    assertThat(bind.axfr(ZONE)).anyMatch(l -> l.matches("upd\\.my\\.domain\\.\\s+120\\s+IN\\s+A\\s+192\\.0\\.2\\.10"));

    converge(record(ZONE, "upd.my.domain", "A", 120, "192.0.2.11"));
    assertThat(bind.dig("upd.my.domain", "A")).containsExactly("192.0.2.11");
    assertThat(converge(record(ZONE, "upd.my.domain", "A", 120, "192.0.2.11"))).isEmpty();
  }

  @Test
  void prunesAnRRsetConvergeCreatedAndLeavesTheOthers() throws Exception {
    Resource keep = record(ZONE, "keep.my.domain", "A", 60, "192.0.2.20");
    converge(keep, record(ZONE, "gone.my.domain", "TXT", 60, "\"bye\""));

    List<Change> changes = converge(keep, Resource.absent(id("gone.my.domain", "TXT"), Location.unknown()));

    assertThat(changes).extracting(Change::type).containsExactly(ChangeType.DELETE);
    assertThat(bind.dig("gone.my.domain", "TXT")).isEmpty();
    assertThat(bind.dig("keep.my.domain", "A")).containsExactly("192.0.2.20");
    assertThat(converge(keep, Resource.absent(id("gone.my.domain", "TXT"), Location.unknown()))).isEmpty();
  }

  // ---------------------------------------------------------------- canonical form, every type

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "my.domain | a.types.my.domain | A | 192.0.2.7",
      "my.domain | aaaa.types.my.domain | AAAA | 2001:db8::1",
      "my.domain | aaaa2.types.my.domain | AAAA | 2001:db8:0:1::",
      "my.domain | cname.types.my.domain | CNAME | web.my.domain.",
      "my.domain | my.domain | MX | 10 mail.example.net.",
      "my.domain | _sip._tcp.my.domain | SRV | 10 5 5060 sip.my.domain.",
      "my.domain | txt.types.my.domain | TXT | '\"v=spf1 -all\"'",
      "my.domain | word.types.my.domain | TXT | '\"word\" \"second\"'",
      "my.domain | utf8.types.my.domain | TXT | '\"caf\\195\\169\"'",
      "my.domain | quoted.types.my.domain | TXT | '\"say \\\"hi\\\" \\\\ bye\"'",
      "3.16.172.in-addr.arpa | 5.3.16.172.in-addr.arpa | PTR | web.my.domain.",
  })
  void readsBackExactlyTheCanonicalFormCompileWrites(String zone, String owner, String type, String value)
      throws Exception {
    Resource desired = record(zone, owner, type, 300, value);

    converge(desired);

    assertThat(probe(desired).actual()).contains(desired.properties());
    assertThat(bind.dig(owner, type)).containsExactly(value);
  }

  @Test
  void longTextIsSplitIn255ByteStringsAndReadBackTheSame() throws Exception {
    String text = "x".repeat(300);
    Resource desired = record(ZONE, "long.types.my.domain", "TXT", 300,
        "\"" + text.substring(0, 255) + "\" \"" + text.substring(255) + "\"");

    converge(desired);

    assertThat(probe(desired).actual()).contains(desired.properties());
    assertThat(converge(desired)).isEmpty();
  }

  // ---------------------------------------------------------------- someone else changed it

  @Test
  void aRecordChangedSinceTheProbeIsReportedAndNotOverwritten() throws Exception {
    converge(record(ZONE, "race.my.domain", "A", 60, "192.0.2.30"));
    Resource desired = record(ZONE, "race.my.domain", "A", 60, "192.0.2.31");
    Change change = Differ.diff(desired, probe(desired), Set.of()).orElseThrow();

    bind.nsupdate(ZONE, "update delete race.my.domain. A", "update add race.my.domain. 60 A 192.0.2.99");

    assertThatThrownBy(() -> driver.applyAll(target, List.of(change)))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("zone my.domain")
        .hasMessageContaining(bind.server())
        .hasMessageContaining("changed by someone else since the probe")
        .hasMessageContaining("race.my.domain A now 192.0.2.99 (ttl 60), expected 192.0.2.30");
    assertThat(bind.dig("race.my.domain", "A")).containsExactly("192.0.2.99");
  }

  @Test
  void aRecordCreatedBySomeoneElseSinceTheProbeIsNotOverwritten() throws Exception {
    Resource desired = record(ZONE, "late.my.domain", "A", 60, "192.0.2.40");
    Change create = Differ.diff(desired, probe(desired), Set.of()).orElseThrow();

    bind.nsupdate(ZONE, "update add late.my.domain. 60 A 192.0.2.41");

    assertThatThrownBy(() -> driver.applyAll(target, List.of(create)))
        .hasMessageContaining("late.my.domain A now 192.0.2.41 (ttl 60), expected absent");
    assertThat(bind.dig("late.my.domain", "A")).containsExactly("192.0.2.41");
  }

  // ---------------------------------------------------------------- keys, servers, zones

  @Test
  void aWrongSecretIsReportedNamingKeyAndServerButNeverTheSecret() {
    String wrong = "key \"" + BindServer.KEY_NAME + "\" { algorithm hmac-sha256;"
        + " secret \"c2VjcmV0LXRoYXQtQklORC1kb2VzLW5vdC1rbm93LTAwMDA=\"; };";
    Resource desired = withProperties(record(ZONE, "www.my.domain", "A", 60, "192.0.2.1"), "key",
        new Sensitive(wrong));

    assertThatThrownBy(() -> driver.probe(target, List.of(desired)))
        .isInstanceOf(ProbeException.class)
        .hasMessageContaining("zone my.domain")
        .hasMessageContaining(bind.server())
        .hasMessageContaining("key " + BindServer.KEY_NAME)
        .hasMessageContaining("BADSIG")
        .hasMessageNotContaining("c2VjcmV0");
  }

  @Test
  void anUnknownKeyIsReportedAsSuch() {
    String other = "key \"nobody\" { algorithm hmac-sha256; secret \"c2VjcmV0LXRoYXQtQklORC1kb2VzLW5vdC1rbm93\"; };";
    Resource desired = withProperties(record(ZONE, "www.my.domain", "A", 60, "192.0.2.1"), "key",
        new Sensitive(other));

    assertThatThrownBy(() -> driver.probe(target, List.of(desired)))
        .hasMessageContaining("key nobody")
        .hasMessageContaining("BADKEY")
        .hasMessageContaining(bind.server());
  }

  @Test
  void aMalformedKeyFileIsReportedNamingTheZoneButNeverTheSecret() {
    Resource desired = withProperties(record(ZONE, "www.my.domain", "A", 60, "192.0.2.1"), "key",
        new Sensitive("secret \"c2VjcmV0LXRoYXQtQklORC1kb2VzLW5vdC1rbm93\";"));

    assertThatThrownBy(() -> driver.probe(target, List.of(desired)))
        .isInstanceOf(ProbeException.class)
        .hasMessageContaining("the key of zone my.domain is not a TSIG key file")
        .hasMessageNotContaining("c2VjcmV0");
  }

  @Test
  void aZoneTheServerDoesNotServeIsReported() {
    Resource desired = record("not-here.test", "www.not-here.test", "A", 60, "192.0.2.1");

    assertThatThrownBy(() -> driver.probe(target, List.of(desired)))
        .hasMessageContaining("zone not-here.test")
        .hasMessageContaining(bind.server())
        .hasMessageContaining("NOTAUTH");
    assertThatThrownBy(() -> driver.applyAll(target, List.of(Differ.diff(desired,
        Observation.absent(desired.id()), Set.of()).orElseThrow())))
        .hasMessageContaining("zone not-here.test")
        .hasMessageContaining("NOTAUTH");
  }

  @Test
  void soaAndNsAreRefused() {
    Resource ns = record(ZONE, "my.domain", "NS", 60, "ns.my.domain.");

    assertThatThrownBy(() -> driver.probe(target, List.of(ns)))
        .hasMessageContaining("dns-record/ns:my.domain/NS")
        .hasMessageContaining("never changes them");
    assertThat(bind.dig("my.domain", "NS")).containsExactly("ns.my.domain.");
  }

  // ---------------------------------------------------------------- scale

  @Test
  void athousandRecordsGoInAFewUpdatesAndANoOpProbeFindsThemAll() throws Exception {
    List<Resource> records = IntStream.range(0, 1000)
        .mapToObj(i -> record("bulk.test", "h" + i + ".bulk.test", "A", 300, "10.1." + i / 256 + "." + i % 256))
        .toList();

    long t0 = System.nanoTime();
    List<Change> changes = converge(records.toArray(Resource[]::new));
    long firstMillis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(changes).hasSize(1000);
    assertThat(driver.updateMessagesSent()).isBetween(1L, 10L);
    assertThat(bind.axfr("bulk.test")).filteredOn(l -> l.contains("\tA\t10.1.")).hasSize(1000);
    long t1 = System.nanoTime();
    assertThat(converge(records.toArray(Resource[]::new))).isEmpty();
    long noOpMillis = (System.nanoTime() - t1) / 1_000_000;
    System.out.printf("1000 A records: first converge %d ms in %d UPDATE messages, no-op probe %d ms%n",
        firstMillis, driver.updateMessagesSent(), noOpMillis);
  }

  // ---------------------------------------------------------------- helpers

  /** Probes, diffs and applies everything that differs in one batch; returns the changes applied. */
  private List<Change> converge(Resource... desired) throws Exception {
    List<Observation> seen = driver.probe(target, List.of(desired));
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < desired.length; i++) {
      Differ.diff(desired[i], seen.get(i), Set.of()).ifPresent(changes::add);
    }
    if (!changes.isEmpty()) {
      driver.applyAll(target, changes);
    }
    return changes;
  }

  private Observation probe(Resource desired) throws ProbeException {
    return driver.probe(target, List.of(desired)).get(0);
  }

  private static ResourceId id(String owner, String type) {
    return ResourceId.of(DnsRecordDriver.KIND, "ns", owner + "/" + type);
  }

  private static Resource record(String zone, String owner, String type, long ttl, String... values) {
    return Resource.present(id(owner, type), Properties.builder()
        .put("zone", zone)
        .put("server", bind.server())
        .put("key", new Sensitive(bind.keyFileText().strip()))
        .put("ttl", ttl)
        .put("values", List.copyOf(new TreeSet<>(List.of(values))))
        .build(), Location.unknown());
  }

  private static Resource withProperties(Resource r, String field, Object value) {
    return Resource.present(r.id(), r.properties().with(field, value), r.origin());
  }
}

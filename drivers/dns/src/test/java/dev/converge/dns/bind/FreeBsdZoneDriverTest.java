package dev.converge.dns.bind;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.diff.Differ;
import dev.converge.dns.TsigKeyFile;
import dev.converge.driver.ActionException;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import dev.converge.testing.ScriptedTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The FreeBSD dns-zone driver on a scripted host: the bind918 package's paths, the probe's output format (sha256(1)
 * prints the bare digest, as {@code sha256sum | cut} does on Linux), and the commands apply runs.
 */
class FreeBsdZoneDriverTest {

  private static final String CONF = "/usr/local/etc/namedb/converge";
  private static final String NAMED_CONF = "/usr/local/etc/namedb/named.conf";
  private static final String ZONES = "/usr/local/etc/namedb/dynamic/converge";
  private static final String PID = "/var/run/named/pid";
  private static final String KEY = "key \"rndc-key\" {\n\talgorithm hmac-sha256;\n\tsecret \""
      + "c8smQVVUH0kHabN8tlf+TQMIpwFqVTT7/4tQr2LGDyc=\";\n};\n";

  private final FreeBsdZoneDriver driver = new FreeBsdZoneDriver();

  @Test
  void probe_readsEveryZoneOfTheBatchInOneExec_andComparesTheKeyByDigestOnly() throws Exception {
    ZonesConf conf = ZonesConf.EMPTY.with("my.domain", "rndc-key").with("vm.my.domain", "rndc-key");
    ScriptedTransport host = new ScriptedTransport().expect(
        script(ZoneDriver.PROBE, CONF, NAMED_CONF, ZONES, PID, "my.domain", "vm.my.domain", "other.domain"),
        "named running\ninclude yes\nzones.conf\n" + prefixed(conf.render(BindPlatform.FREEBSD))
            + "key rndc-key " + ZoneDriver.sha256(KEY) + "\n"
            + "zonefile my.domain yes\nzonefile vm.my.domain no\nzonefile other.domain no\n");

    Resource my = zone("my.domain", KEY);
    Resource vm = zone("vm.my.domain", KEY);
    Resource other = zone("other.domain", KEY);
    List<Observation> seen = driver.probe(host.target("ns1"), List.of(my, vm, other));

    assertThat(Differ.diff(my, seen.get(0), driver.immutableFields())).as("served as desired").isEmpty();
    assertThat(seen.get(1).actual().orElseThrow().get("zone")).contains(
        "vm.my.domain (zone file " + ZONES + "/db.vm.my.domain is missing)");
    assertThat(seen.get(2).isPresent()).isFalse();
    assertThat(host.executed().get(0).toString()).doesNotContain("secret");
    host.assertAllAnswered();
  }

  @Test
  void probe_seesADifferentKeyFile_asADifferentSensitiveKey_andAStoppedNamed() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(
        script(ZoneDriver.PROBE, CONF, NAMED_CONF, ZONES, PID, "my.domain"),
        "named stopped\ninclude no\nzones.conf\n"
            + prefixed(ZonesConf.EMPTY.with("my.domain", "rndc-key").render(BindPlatform.FREEBSD))
            + "key rndc-key " + "0".repeat(64) + "\nzonefile my.domain yes\n");

    Resource my = zone("my.domain", KEY);
    Change change = Differ.diff(my, driver.probe(host.target("ns1"), List.of(my)).get(0), driver.immutableFields())
        .orElseThrow();

    assertThat(change.fields()).extracting(f -> f.field()).containsExactly("key", "zone");
    assertThat(change.fields().get(0).isSensitive()).isTrue();
    assertThat(change.fields().get(1).before()).contains("my.domain (named is not running; " + CONF
        + "/zones.conf is not included from " + NAMED_CONF + ")");
  }

  @Test
  void create_installsBindIfMissing_stagesKeyFragmentAndZoneFile_installsThemChecked_andStartsNamedThroughRcConf() throws Exception {
    Resource my = zone("my.domain", KEY);
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("sh", "-c", FreeBsdZoneDriver.INSTALL_PACKAGE), "")
        .expect(script(ZoneDriver.PREPARE, CONF, ZONES, "bind"), "")
        .expect(script(ZoneDriver.INSTALL, CONF, NAMED_CONF, ZONES, "bind", NAMED_CONF, PID, "k:rndc-key",
            "z:my.domain"), "stopped\n")
        .expect(List.of("sh", "-c", FreeBsdZoneDriver.START), "Starting named.\n");

    driver.applyAll(host.target("ns1"), List.of(create(my)));

    host.assertAllAnswered();
    assertThat(host.fileContent(CONF + "/.new/rndc-key.key")).contains(KEY);
    assertThat(host.writes()).allSatisfy(w -> {
      assertThat(w.attributes().octalMode()).isEqualTo("0640");
      assertThat(w.attributes().owner()).contains("root");
      assertThat(w.attributes().group()).contains("bind");
    });
    assertThat(host.fileContent(CONF + "/.new/zones.conf").orElseThrow())
        .contains("include \"" + CONF + "/rndc-key.key\";")
        .contains("file \"" + ZONES + "/db.my.domain\";")
        .contains("update-policy { grant \"rndc-key\" zonesub ANY; };");
    assertThat(host.fileContent(CONF + "/.new/check.conf").orElseThrow())
        .as("the fragment is checked with the staged key").contains("include \"" + CONF + "/.new/rndc-key.key\";");
    assertThat(host.fileContent(CONF + "/.new/db.my.domain").orElseThrow())
        .contains("@\tIN\tSOA\tns.my.domain. hostmaster.my.domain. 1 3600 900 1209600 300")
        .contains("ns\tIN\tA\t192.0.2.53");
  }

  @Test
  void aRunningNamed_isReloadedWithItsRcScript() throws Exception {
    String live = ZonesConf.EMPTY.with("my.domain", "rndc-key").render(BindPlatform.FREEBSD);
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("sh", "-c", FreeBsdZoneDriver.INSTALL_PACKAGE), "")
        .expect(script(ZoneDriver.PREPARE, CONF, ZONES, "bind"), live)
        .expect(script(ZoneDriver.INSTALL, CONF, NAMED_CONF, ZONES, "bind", NAMED_CONF, PID, "k:rndc-key",
            "z:vm.my.domain"), "running\n")
        .expect(List.of("service", "named", "reload"), "");

    driver.applyAll(host.target("ns1"), List.of(create(zone("vm.my.domain", KEY))));

    host.assertAllAnswered();
    assertThat(ZonesConf.parse(host.fileContent(CONF + "/.new/zones.conf").orElseThrow()).keyOfZone())
        .containsOnly(Map.entry("my.domain", "rndc-key"), Map.entry("vm.my.domain", "rndc-key"));
  }

  @Test
  void delete_removesTheStanza_andTheKeyFileOnlyWithItsLastZone() throws Exception {
    String live = ZonesConf.EMPTY.with("my.domain", "rndc-key").with("vm.my.domain", "rndc-key")
        .with("other.domain", "other-key").render(BindPlatform.FREEBSD);
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(ZoneDriver.PREPARE, CONF, ZONES, "bind"), live)
        .expect(script(ZoneDriver.INSTALL, CONF, NAMED_CONF, ZONES, "bind", NAMED_CONF, PID, "r:other-key"),
            "running\n")
        .expect(List.of("service", "named", "reload"), "");

    driver.applyAll(host.target("ns1"), List.of(delete("vm.my.domain"), delete("other.domain")));

    host.assertAllAnswered();
    assertThat(ZonesConf.parse(host.fileContent(CONF + "/.new/zones.conf").orElseThrow()).keyOfZone())
        .containsExactlyEntriesOf(Map.of("my.domain", "rndc-key"));
  }

  @Test
  void aConfigurationNamedRejects_failsNamingTheHost_andNamedIsNotReloaded() {
    ScriptedTransport host = new ScriptedTransport()
        .expect(List.of("sh", "-c", FreeBsdZoneDriver.INSTALL_PACKAGE), "")
        .expect(script(ZoneDriver.PREPARE, CONF, ZONES, "bind"), "")
        .expect(script(ZoneDriver.INSTALL, CONF, NAMED_CONF, ZONES, "bind", NAMED_CONF, PID, "k:rndc-key",
            "z:my.domain"), ZoneDriver.CONFIG_REJECTED, "",
            NAMED_CONF + ":40: zone 'my.domain': already exists previous definition: " + NAMED_CONF + ":12\n");

    assertThatThrownBy(() -> driver.applyAll(host.target("ns1"), List.of(create(zone("my.domain", KEY)))))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("dns zones on ns1")
        .hasMessageContaining("zone 'my.domain': already exists")
        .hasMessageContaining("previous files are back in place");
    host.assertAllAnswered();
  }

  @Test
  void twoZonesWithDifferentKeysOfOneName_areRefusedBeforeAnythingRuns() {
    String otherSecret = KEY.replace("c8sm", "AAAA");
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.applyAll(host.target("ns1"),
        List.of(create(zone("my.domain", KEY)), create(zone("vm.my.domain", otherSecret)))))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("two different keys both named rndc-key")
        .hasMessageNotContaining("c8sm");
    assertThat(host.executed()).isEmpty();
  }

  @Test
  void theKeyFileWritten_isTheOneTsigKeygenWrites() {
    assertThat(TsigKeyFile.parse(KEY, "test").render()).isEqualTo(KEY);
  }

  private static String prefixed(String text) {
    StringBuilder sb = new StringBuilder();
    text.lines().forEach(l -> sb.append("| ").append(l).append('\n'));
    return sb.toString();
  }

  private static Resource zone(String name, String key) {
    return Resource.present(ResourceId.of(ZoneDriver.KIND, "ns1", name), Properties.of(Map.of(
        "zone", name, "key", new Sensitive(key), "ttl", 300L, "nameserver", "192.0.2.53")), Location.unknown());
  }

  private static Change create(Resource r) {
    return new Change(ChangeType.CREATE, r, Observation.absent(r.id()), new ArrayList<>(), Optional.empty(),
        Optional.empty());
  }

  private static Change delete(String zone) {
    ResourceId id = ResourceId.of(ZoneDriver.KIND, "ns1", zone);
    return new Change(ChangeType.DELETE, Resource.absent(id, Location.unknown()),
        Observation.present(id, Properties.of(Map.of("zone", zone))), List.of(), Optional.empty(), Optional.empty());
  }
}

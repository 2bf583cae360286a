package dev.converge.freebsd.jail;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.diff.Differ;
import dev.converge.driver.ActionException;
import dev.converge.driver.Command;
import dev.converge.driver.FileAttributes;
import dev.converge.driver.Readiness;
import dev.converge.freebsd.ProbeOutput;
import dev.converge.images.ImageStore;
import dev.converge.resource.Change;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import dev.converge.testing.ScriptedTransport;
import dev.converge.transport.FileCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JailDriverTest {

  static final String ROOT = "/usr/local/converge/jails/web/root";
  static final String DIR = "/usr/local/converge/jails/web";
  static final String RECORD = DIR + "/jail.json";
  static final String NO_JAIL_LIST = "sysrc: unknown variable 'jail_list'\n";

  private final JailDriver driver = new JailDriver();

  /** jls -n --libxo json with the one jail `web` running (the shape of the real capture, trimmed). */
  static final String JLS_WEB = "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"devfs_ruleset\":\"4\","
      + "\"dying\":false,\"jid\":\"7\",\"name\":\"web\",\"path\":\"" + ROOT + "\",\"persist\":true,"
      + "\"host.hostname\":\"web.my.domain\", \"ip4.addr\": [\"172.16.3.2\"], \"ip6.addr\": []}]}}";
  static final String JLS_NONE = "{\"__version\": \"2\", \"jail-information\": {\"jail\": []}}";

  static String recordJson(Map<String, Object> properties, Optional<String> dataset) {
    return new JailRecord("/usr/local/converge/images/freebsd-14/" + Jails.ID, dataset,
        Properties.of(properties)).toJson();
  }

  static String tagged(String tag, String text) {
    return text.lines().map(l -> tag + " " + l + "\n").collect(Collectors.joining());
  }

  /** A file written inside jail `web` by the shared file commands, through jexec. */
  static List<String> insideWrite(String path, String content, FileAttributes attributes) {
    return Jexec.inside("web", FileCommands.write(path, content.getBytes(StandardCharsets.UTF_8),
        attributes, Duration.ofSeconds(60))).argv();
  }

  /** The probe's lines of a conf file that is the rendering of {@code properties}. */
  static String conf(Map<String, Object> properties) {
    return tagged("conf", JailConf.render(Jails.settings(properties)));
  }

  static Change change(Resource desired, Observation observed) {
    return Differ.diff(desired, observed, Set.of()).orElseThrow(() -> new AssertionError("no change"));
  }

  private static String stdinOf(Command c) {
    return new String(c.stdin(), StandardCharsets.UTF_8);
  }

  @Test
  void probe_isOneCommandForTheBatchAndReadsJlsRecordsAndTheJailsOwnResolvConf() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.web());
    Resource db = Jails.jail("h1", "db", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport().expect(
        script(JailDriver.SCRIPT, "web", "db"),
        tagged("jls", JLS_WEB) + "zfs zroot/converge/images\n"
            + "= web\n" + tagged("record", recordJson(Jails.web(), Optional.of("zroot/converge/jails/web")))
            + conf(Jails.web()) + "start-alive\nresolv-file\n"
            + "resolv nameserver 172.16.3.3\nresolv search my.domain\n"
            + "= db\n");

    List<Observation> seen = driver.probe(host.target("h1"), List.of(web, db));

    assertThat(Differ.diff(web, seen.get(0), Set.of())).as("a converged jail has no change").isEmpty();
    assertThat(seen.get(1).isPresent()).isFalse();
    host.assertAllAnswered();
  }

  @Test
  void probe_aDeadStartCommandIsNotRunningAndAnEditedResolvConfShows() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.web());
    ScriptedTransport host = new ScriptedTransport().expect(script(JailDriver.SCRIPT, "web"),
        tagged("jls", JLS_WEB) + "= web\n" + tagged("record", recordJson(Jails.web(), Optional.empty()))
            + conf(Jails.web()) + "resolv-file\nresolv nameserver 8.8.8.8\n");

    Properties actual = driver.probe(host.target("h1"), List.of(web)).get(0).actual().orElseThrow();

    assertThat(actual.get("running")).contains(false);
    assertThat(actual.string("resolv-conf")).contains("nameserver 8.8.8.8\n");
  }

  @Test
  void probe_aStoppedJailWithoutStartCommandIsNotRunning() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport().expect(script(JailDriver.SCRIPT, "web"),
        tagged("jls", JLS_NONE) + "= web\n" + tagged("record", recordJson(Jails.minimal(), Optional.empty()))
            + conf(Jails.minimal()));

    Change c = change(web, driver.probe(host.target("h1"), List.of(web)).get(0));

    assertThat(c.fields()).extracting(f -> f.field()).containsExactly("running");
  }

  @Test
  void probe_anEditedConfMeansTheJailDoesNotRunAsRecorded() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport().expect(script(JailDriver.SCRIPT, "web"),
        tagged("jls", JLS_WEB) + "= web\n" + tagged("record", recordJson(Jails.minimal(), Optional.empty()))
            + conf(Jails.minimal()).replace("devfs_ruleset = 4", "devfs_ruleset = 0"));

    Change c = change(web, driver.probe(host.target("h1"), List.of(web)).get(0));

    assertThat(c.fields()).extracting(f -> f.field()).containsExactly("running");
  }

  @Test
  void probe_aLoopbackAddressMissingFromTheRunningJailIsDrift() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport().expect(script(JailDriver.SCRIPT, "web"),
        tagged("jls", JLS_WEB.replace("172.16.3.2", "172.16.3.9")) + "= web\n"
            + tagged("record", recordJson(Jails.minimal(), Optional.empty())) + conf(Jails.minimal()));

    Change c = change(web, driver.probe(host.target("h1"), List.of(web)).get(0));

    assertThat(c.fields()).extracting(f -> f.field()).containsExactly("network");
  }

  @Test
  void probe_aJailWithoutConvergesRecordIsAbsent() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport().expect(script(JailDriver.SCRIPT, "web"),
        tagged("jls", JLS_WEB) + "= web\n" + conf(Jails.minimal()));

    assertThat(driver.probe(host.target("h1"), List.of(web)).get(0).isPresent()).isFalse();
  }

  @Test
  void probe_jlsFailingIsAClearError() {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport().expect(script(JailDriver.SCRIPT, "web"), 0,
        "jls jls: sysctl(security.jail.jailed): Operation not permitted\n= web\n", "");

    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(web)))
        .hasMessageStartingWith("cannot probe jails on h1: jls printed no JSON document");
  }

  @Test
  void probe_twoBridgeJailsWhoseAddressesShareAnEpairUnitAreRefused() {
    Map<String, Object> lan = new java.util.HashMap<>(Jails.bridgeNetwork());
    Map<String, Object> a = Jails.minimal();
    a.put("network", lan);
    Map<String, Object> b = Jails.minimal();
    lan = new java.util.HashMap<>(lan);
    lan.put("address", "172.17.5.7");
    b.put("network", lan);
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.probe(host.target("h1"), List.of(Jails.jail("h1", "a", a),
        Jails.jail("h1", "b", b))))
        .hasMessage("jails `a` and `b` on h1 would both use epair1287 (the low 15 bits of their bridge addresses are "
            + "equal); give one of them another address");
    assertThat(host.executed()).isEmpty();
  }

  @Test
  void render_isTheJailConfOfTheProperties() {
    Resource web = Jails.jail("h1", "web", Jails.web());

    assertThat(driver.render(web, web.properties())).isEqualTo(JailConf.render(Jails.settings(Jails.web())));
  }

  @Test
  void create_onZfs_clonesTheImageSnapshotConfiguresStartsAndProvisionsInsideTheJail() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.web());
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(JailDriver.FOREIGN_SCRIPT, "/etc/jail.conf.d/web.conf", RECORD), "")
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "zfs zroot/converge/images\n")
        .expect(List.of("mkdir", "-p", "-m", "0700", DIR), "")
        .expect(List.of("zfs", "create", "-p", "-o", "mountpoint=none", "zroot/converge/jails"), "")
        .expect(List.of("zfs", "clone", "-o", "mountpoint=" + ROOT,
            "zroot/converge/images/freebsd-14/" + Jails.ID + "@image", "zroot/converge/jails/web"), "")
        .expect(List.of("mkdir", "-p", ROOT + "/usr/local/www"), "")
        .expect(List.of("mkdir", "-p", ROOT + "/var/log/web"), "")
        .expect(List.of("mkdir", "-p", "/etc/jail.conf.d"), "")
        .expect(List.of("sysrc", "-n", "jail_list"), 1, "", NO_JAIL_LIST)
        .expect(List.of("sysrc", "jail_enable=YES"), "jail_enable: NO -> YES\n")
        .expect(List.of("sysrc", "jail_list=web"), "jail_list:  -> web\n")
        .expect(List.of("service", "jail", "start", "web"), "Starting jails: web.\n")
        .expect(List.of("jexec", "web", "pw", "usershow", "-n", "provision"), 67, "",
            "pw: no such user `provision'\n")
        .expect(List.of("jexec", "web", "pw", "useradd", "-n", "provision", "-m", "-s", "/bin/sh"), "")
        .expect(List.of("jexec", "web", "pw", "usershow", "-n", "provision"),
            "provision:*:1001:1001::0:0:User &:/home/provision:/bin/sh\n")
        .expect(List.of("jexec", "web", "sh", "-c", JailDriver.SSH_DIRECTORY_SCRIPT, "sh", "provision", "1001",
            "1001"), "")
        .expect(insideWrite("/home/provision/.ssh/authorized_keys", "ssh-ed25519 AAAAC3Nza provision@mgmt\n",
            new FileAttributes(0600, Optional.of("1001"), Optional.of("1001"))), "")
        .expect(List.of("jexec", "web", "mkdir", "-p", "/usr/local/etc/sudoers.d"), "")
        .expect(insideWrite("/usr/local/etc/sudoers.d/converge-provision", "provision ALL=(ALL:ALL) NOPASSWD: ALL\n",
            new FileAttributes(0440, Optional.of("0"), Optional.of("0"))), "")
        .expect(List.of("pkg", "-j", "web", "install", "-y", "busybox", "sudo"), "");

    driver.apply(host.target("h1"), change(web, Observation.absent(web.id())));

    host.assertAllAnswered();
    JailRecord record = JailRecord.parse(host.fileContent(RECORD).orElseThrow());
    assertThat(record.imageDir()).isEqualTo("/usr/local/converge/images/freebsd-14/" + Jails.ID);
    assertThat(record.dataset()).contains("zroot/converge/jails/web");
    assertThat(record.properties()).isEqualTo(web.properties());
    assertThat(host.writes()).filteredOn(w -> w.path().equals(RECORD))
        .allSatisfy(w -> assertThat(w.attributes().mode()).isEqualTo(0600))
        .first().satisfies(w -> assertThat(JailRecord.parse(w.content()).properties().fields())
            .as("users and packages are recorded once provisioned").doesNotContain("users", "packages"));
    assertThat(host.fileContent("/etc/jail.conf.d/web.conf")).contains(JailConf.render(Jails.settings(Jails.web())));
    assertThat(host.fileContent("/etc/fstab.web")).contains(JailConf.fstab(Jails.settings(Jails.web())));
    assertThat(host.fileContent(ROOT + "/etc/resolv.conf")).contains("nameserver 172.16.3.3\nsearch my.domain\n");
    List<Command> run = host.executed();
    assertThat(stdinOf(run.get(run.size() - 4))).isEqualTo("ssh-ed25519 AAAAC3Nza provision@mgmt\n");
    assertThat(stdinOf(run.get(run.size() - 2))).isEqualTo("provision ALL=(ALL:ALL) NOPASSWD: ALL\n");
  }

  @Test
  void create_withoutZfs_copiesTheCurrentBuildOfAPinnedImage() throws Exception {
    java.util.Map<String, Object> p = Jails.minimal();
    p.remove("image-digest");
    Resource web = Jails.jail("h1", "web", p);
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(JailDriver.FOREIGN_SCRIPT, "/etc/jail.conf.d/web.conf", RECORD), "")
        .expect(List.of("readlink", "/usr/local/converge/images/freebsd-14/current"), Jails.ID + "\n")
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "")
        .expect(List.of("mkdir", "-p", "-m", "0700", DIR), "")
        .expect(script(JailDriver.COPY_SCRIPT, "/usr/local/converge/images/freebsd-14/" + Jails.ID + "/root", ROOT),
            "")
        .expect(List.of("rm", "-f", "/etc/fstab.web"), "")
        .expect(List.of("mkdir", "-p", "/etc/jail.conf.d"), "")
        .expect(List.of("sysrc", "-n", "jail_list"), "db\n")
        .expect(List.of("sysrc", "jail_enable=YES"), "")
        .expect(List.of("sysrc", "jail_list=db web"), "")
        .expect(List.of("service", "jail", "start", "web"), "");

    driver.apply(host.target("h1"), change(web, Observation.absent(web.id())));

    host.assertAllAnswered();
    assertThat(JailRecord.parse(host.fileContent(RECORD).orElseThrow()).dataset()).isEmpty();
  }

  @Test
  void create_overAJailConvergeDidNotMake_isRefusedBeforeAnythingChanges() {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(JailDriver.FOREIGN_SCRIPT, "/etc/jail.conf.d/web.conf", RECORD), 1, "",
            "/etc/jail.conf.d/web.conf exists but " + RECORD + " does not: a jail converge did not make; converge "
                + "leaves it alone\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), change(web, Observation.absent(web.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessageContaining("on h1")
        .hasMessageContaining("a jail converge did not make");
    assertThat(host.writes()).isEmpty();
  }

  @Test
  void create_withANewlineInTheHostname_changesNothing() {
    java.util.Map<String, Object> p = Jails.minimal();
    p.put("hostname", "web\nevil");
    Resource web = Jails.jail("h1", "web", p);
    ScriptedTransport host = new ScriptedTransport();

    assertThatThrownBy(() -> driver.apply(host.target("h1"), change(web, Observation.absent(web.id()))))
        .isInstanceOf(ActionException.class).hasMessageStartingWith("jail `web` on h1: hostname `web\\nevil`");
    assertThat(host.executed()).isEmpty();
  }

  @Test
  void update_aDeadStartCommandRestartsTheJail() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.minimal());
    Observation stopped = Observation.present(web.id(), web.properties().with("running", false));
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.minimal(), Optional.empty()))
        .expect(List.of("service", "jail", "stop", "web"), 1, "", "jail: \"web\" not found\n")
        .expect(List.of("jls", "-j", "web", "jid"), 1, "", "jls: jail \"web\" not found\n")
        .expect(List.of("rm", "-f", "/etc/fstab.web"), "")
        .expect(List.of("mkdir", "-p", "/etc/jail.conf.d"), "")
        .expect(List.of("service", "jail", "start", "web"), "Starting jails: web.\n");

    driver.apply(host.target("h1"), change(web, stopped));

    host.assertAllAnswered();
  }

  @Test
  void update_aNewHostnameRewritesTheConfAndRestarts() throws Exception {
    java.util.Map<String, Object> p = Jails.minimal();
    p.put("hostname", "www.my.domain");
    Resource web = Jails.jail("h1", "web", p);
    Observation seen = Observation.present(web.id(), Properties.of(Jails.minimal()));
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.minimal(), Optional.empty()))
        .expect(List.of("service", "jail", "stop", "web"), "")
        .expect(List.of("rm", "-f", "/etc/fstab.web"), "")
        .expect(List.of("mkdir", "-p", "/etc/jail.conf.d"), "")
        .expect(List.of("service", "jail", "start", "web"), "");

    driver.apply(host.target("h1"), change(web, seen));

    host.assertAllAnswered();
    assertThat(host.fileContent("/etc/jail.conf.d/web.conf").orElseThrow())
        .contains("host.hostname = \"www.my.domain\";");
  }

  @Test
  void update_usersAndPackagesChangeInsideTheRunningJailWithoutRestart() throws Exception {
    java.util.Map<String, Object> p = Jails.minimal();
    p.put("users", Map.of("devel", Map.of("uid", 1000, "gid", 1000)));
    p.put("packages", List.of("git"));
    java.util.Map<String, Object> before = Jails.minimal();
    before.put("users", Map.of("old", Map.of()));
    before.put("packages", List.of("vim"));
    Resource web = Jails.jail("h1", "web", p);
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(before, Optional.empty()))
        .expect(List.of("jexec", "web", "pw", "usershow", "-n", "devel"), 67, "", "pw: no such user `devel'\n")
        .expect(List.of("jexec", "web", "pw", "groupshow", "-g", "1000"), 67, "", "pw: unknown group `1000'\n")
        .expect(List.of("jexec", "web", "pw", "groupadd", "-n", "devel", "-g", "1000"), "")
        .expect(List.of("jexec", "web", "pw", "useradd", "-n", "devel", "-m", "-s", "/bin/sh", "-u", "1000", "-g",
            "1000"), "")
        .expect(List.of("jexec", "web", "pw", "userdel", "-n", "old"), "")
        .expect(List.of("jexec", "web", "rm", "-f", "--", "/usr/local/etc/sudoers.d/converge-old"), "")
        .expect(List.of("pkg", "-j", "web", "install", "-y", "git"), "")
        .expect(List.of("pkg", "-j", "web", "delete", "-y", "vim"), "");

    driver.apply(host.target("h1"), change(web, Observation.present(web.id(), Properties.of(before))));

    host.assertAllAnswered();
  }

  private static final String DATASET = "zroot/converge/jails/web";
  private static final String NEW_ID = "0123456789abcdef";
  private static final String ORIGIN = "zroot/converge/images/freebsd-14/" + Jails.ID + "@image";

  /** The jail `web`, running on the image build Jails.ID, whose image was rebuilt as NEW_ID. */
  private static Change imageRebuilt() {
    java.util.Map<String, Object> p = Jails.minimal();
    p.put("image-digest", "sha256:" + NEW_ID.repeat(4));
    Resource web = Jails.jail("h1", "web", p);
    return change(web, Observation.present(web.id(), Properties.of(Jails.minimal())));
  }

  @Test
  void update_aRebuiltImage_onZfs_movesTheJailToACloneOfTheNewBuildWithWhatItChanged() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.minimal(), Optional.of(DATASET)))
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "zfs zroot/converge/images\n")
        .expect(List.of("service", "jail", "stop", "web"), "")
        .expect(List.of("zfs", "get", "-H", "-o", "value", "origin", DATASET), ORIGIN + "\n")
        .expect(List.of("zfs", "diff", "-H", "-F", ORIGIN, DATASET), String.join("\n",
            "M\t/\t" + ROOT + "/etc", "M\tF\t" + ROOT + "/etc/rc.conf", "-\tF\t" + ROOT + "/etc/motd.template",
            "+\tF\t" + ROOT + "/root/data", ""))
        .expect(script(JailDriver.STAGE_SCRIPT, DATASET + ".rebase", "zroot/converge/images/freebsd-14/" + NEW_ID
            + "@image", DIR + "/root.rebase", DATASET + ".previous"), "")
        .expect(List.of("chroot", DIR + "/root.rebase", "xargs", "-0", "rm", "-rf", "--"), "")
        .expect(script(JailDriver.CARRY_SCRIPT, ROOT, DIR + "/root.rebase"), "")
        .expect(script(JailDriver.SWAP_SCRIPT, DATASET, DATASET + ".rebase", ROOT, DIR + "/root.previous"), "")
        .expect(List.of("rm", "-f", "/etc/fstab.web"), "")
        .expect(List.of("mkdir", "-p", "/etc/jail.conf.d"), "")
        .expect(List.of("service", "jail", "start", "web"), "Starting jails: web.\n")
        .expect(List.of("zfs", "destroy", "-r", DATASET + ".previous"), "");

    driver.apply(host.target("h1"), imageRebuilt());

    host.assertAllAnswered();
    List<Command> run = host.executed();
    assertThat(stdinOf(run.get(5))).as("removed from the new root, inside its chroot")
        .isEqualTo("/etc/motd.template\0");
    assertThat(stdinOf(run.get(6))).as("carried: the jail's own versions win")
        .isEqualTo("etc\0etc/rc.conf\0root/data\0");
    JailRecord record = JailRecord.parse(host.fileContent(RECORD).orElseThrow());
    assertThat(record.imageDir()).as("the old build is no longer the jail's, so it can be pruned")
        .isEqualTo("/usr/local/converge/images/freebsd-14/" + NEW_ID);
    assertThat(record.dataset()).contains(DATASET);
    assertThat(record.properties().get("image-digest")).contains("sha256:" + NEW_ID.repeat(4));
  }

  @Test
  void update_aRebuiltImage_whoseChangesCannotBeCarried_destroysTheStagingCloneAndKeepsTheJailsRoot() {
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.minimal(), Optional.of(DATASET)))
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "zfs zroot/converge/images\n")
        .expect(List.of("service", "jail", "stop", "web"), "")
        .expect(List.of("zfs", "get", "-H", "-o", "value", "origin", DATASET), ORIGIN + "\n")
        .expect(List.of("zfs", "diff", "-H", "-F", ORIGIN, DATASET), "M\tF\t" + ROOT + "/lib/libc.so.7\n")
        .expect(script(JailDriver.STAGE_SCRIPT, DATASET + ".rebase", "zroot/converge/images/freebsd-14/" + NEW_ID
            + "@image", DIR + "/root.rebase", DATASET + ".previous"), "")
        .expect(script(JailDriver.CARRY_SCRIPT, ROOT, DIR + "/root.rebase"), 1, "",
            "tar: lib/libc.so.7: Can't unlink already-existing object\n")
        .expect(List.of("zfs", "destroy", "-r", DATASET + ".rebase"), "");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), imageRebuilt()))
        .hasMessageContaining("Can't unlink already-existing object");
    host.assertAllAnswered();
    assertThat(JailRecord.parse(host.fileContent(RECORD).orElseThrow()).imageDir())
        .as("still the old build's").endsWith("/" + Jails.ID);
  }

  @Test
  void update_aRebuiltImage_withoutZfs_isRefusedAndChangesNothing() {
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.minimal(), Optional.empty()))
        .expect(script(ProbeOutput.LINES_FUNCTION + JailStorage.DECIDE), "");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), imageRebuilt()))
        .hasMessageStartingWith("jail `web` on h1: moving a FreeBSD jail to another image build needs its root in"
            + " ZFS");
    host.assertAllAnswered();
    assertThat(host.writes()).isEmpty();
  }

  @Test
  void delete_stopsForgetsAtBootAndDestroysTheCloneOnlyWhenNothingIsMountedBelowIt() throws Exception {
    ResourceId id = ResourceId.of("jail", "h1", "web");
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.web(), Optional.of("zroot/converge/jails/web")))
        .expect(List.of("service", "jail", "stop", "web"), "Stopping jails: web.\n")
        .expect(List.of("sysrc", "-n", "jail_list"), "db web\n")
        .expect(List.of("sysrc", "jail_list=db"), "")
        .expect(List.of("rm", "-f", "/etc/jail.conf.d/web.conf", "/etc/fstab.web"), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, ROOT), "")
        .expect(List.of("zfs", "destroy", "-r", "zroot/converge/jails/web"), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, DIR), "");

    driver.apply(host.target("h1"), change(Resource.absent(id, Location.unknown()),
        Observation.present(id, Properties.of(Jails.web()))));

    host.assertAllAnswered();
  }

  @Test
  void delete_aJailThatWillNotStopIsNotRemoved() {
    ResourceId id = ResourceId.of("jail", "h1", "web");
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.web(), Optional.empty()))
        .expect(List.of("service", "jail", "stop", "web"), 1, "", "jail: web: /bin/sh /etc/rc.shutdown: failed\n")
        .expect(List.of("jls", "-j", "web", "jid"), "7\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), change(Resource.absent(id, Location.unknown()),
        Observation.present(id, Properties.of(Jails.web())))))
        .hasMessage("cannot change jail `web` on h1: service jail stop failed (exit 1): jail: web: /bin/sh "
            + "/etc/rc.shutdown: failed");
    host.assertAllAnswered();
  }

  @Test
  void delete_aMountStillBelowTheRootStopsTheRemoval() {
    ResourceId id = ResourceId.of("jail", "h1", "web");
    ScriptedTransport host = new ScriptedTransport()
        .file(RECORD, recordJson(Jails.web(), Optional.empty()))
        .expect(List.of("service", "jail", "stop", "web"), "")
        .expect(List.of("sysrc", "-n", "jail_list"), "web\n")
        .expect(List.of("sysrc", "jail_list="), "")
        .expect(List.of("rm", "-f", "/etc/jail.conf.d/web.conf", "/etc/fstab.web"), "")
        .expect(script(JailDriver.REMOVE_SCRIPT, DIR), 1, "",
            DIR + " still has file systems mounted below it; not removing it\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), change(Resource.absent(id, Location.unknown()),
        Observation.present(id, Properties.of(Jails.web())))))
        .hasMessageContaining("still has file systems mounted below it");
  }

  @Test
  void readiness_waitsForJlsAndAPingFromTheHost() throws Exception {
    Resource web = Jails.jail("h1", "web", Jails.web());
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "start"), 1,
            "no answer to ping from 172.16.3.2\n", "")
        .expect(script(JailDriver.READY_SCRIPT, "web", "172.16.3.2", "start"), "");

    assertThat(driver.readiness(host.target("h1"), web))
        .isEqualTo(Readiness.waitingFor("no answer to ping from 172.16.3.2"));
    assertThat(driver.readiness(host.target("h1"), web)).isEqualTo(Readiness.READY);
  }

  @Test
  void probeAndSettingsUseTheSharedLayout() {
    assertThat(JailDriver.SCRIPT).contains("d=" + ImageStore.FREEBSD_JAILS + "/$j\n",
        "\"$d/" + ImageStore.JAIL_RECORD + "\"", "\"" + JailConf.CONF_DIRECTORY + "/$j.conf\"");
    assertThat(Jails.settings(Jails.minimal()).directory()).isEqualTo(ImageStore.FREEBSD_JAILS + "/web");
  }

  @Test
  void readiness_pingsWithFreeBsdsTimeoutFlag() {
    assertThat(JailDriver.READY_SCRIPT).contains("ping -c 1 -t 1 \"$2\"");
  }
}

package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 000's jails, in the lab: a resolver jail running BIND from a debootstrap image (authoritative for lab.test,
 * registering every jail), and two jails serving HTTP from an image the test builds from busybox-static and serves
 * from this machine's loopback, each jail a /32 that OSPF carries. Assertions ask the lab hosts and the jails
 * (getent, nslookup, curl, the jails' own files), never converge.
 */
class JailIT {

  private static final List<String> APPLETS = List.of("sh", "httpd", "wget", "nslookup", "cat", "echo", "hostname",
      "sleep", "id", "touch", "ls", "mkdir", "rm", "ps", "su");

  private Path dir;
  private Path spec;
  private LabShell lab;
  private HttpServer images;
  private String sha256;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/jail-it-" + UUID.randomUUID().toString()
        .substring(0, 8)));
    spec = dir.resolve("site.yaml");
    lab = new LabShell(spec);
    Path key = dir.resolve("lab.key");
    Files.writeString(key, LabFixture.command("tsig-keygen", "-a", "hmac-sha256", "lab-key"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    byte[] tarball = busyboxImage();
    sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tarball));
    images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    images.createContext("/bb.tar.gz", exchange -> {
      exchange.sendResponseHeaders(200, tarball.length);
      exchange.getResponseBody().write(tarball);
      exchange.close();
    });
    images.start();
  }

  /** A root filesystem of busybox-static and its applets, a passwd, and an empty /www, as a gzipped tarball. */
  private byte[] busyboxImage() throws Exception {
    Path root = Files.createDirectories(dir.resolve("bb-root"));
    for (String d : List.of("bin", "usr/bin", "etc", "www", "proc", "dev", "tmp", "root", "home")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    for (String applet : APPLETS) {
      Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
    }
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    Files.writeString(root.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\n");
    Path tarball = dir.resolve("bb.tar.gz");
    LabFixture.command("tar", "-czf", tarball.toString(), "-C", root.toString(), ".");
    return Files.readAllBytes(tarball);
  }

  private void writeSpec(String webHost, String imageSha256) throws Exception {
    Files.writeString(spec, """
        site: jailit
        secrets:
          lab-key: { file: lab.key }
        defaults:
          resolver: resolver
          jail: { image: bb, network: jails, resolver: resolver,
                  start: "hostname > /www/index.html && exec httpd -f -p 80 -h /www" }
        images:
          bb: { tarball: { url: "http://127.0.0.1:%d/bb.tar.gz", sha256: "%s" } }
          bind: { debootstrap: { suite: bookworm, mirror: "file:///var/cache/converge/lab-debian/bookworm",
                                 packages: [bind9] } }
        hosts:
          ns: { address: 198.51.100.1, loopback: 10.0.0.1/32 }
          r2: { address: 198.51.100.2, loopback: 10.0.0.2/32 }
          r3: { address: 198.51.100.3, loopback: 10.0.0.3/32 }
        networks:
          backbone: { kind: links, cidr: 172.16.2.0/24, links: [[ns, r2], [r2, r3]] }
          jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24, addresses: { ns: [172.16.3.1] } }
        ospf:
          areas:
            0.0.0.0: { networks: [backbone, jails], hello: 1, dead: 3, fast-convergence: true }
        zones:
          lab.test: { server: resolver, key: lab-key, register: [jails], reverse: true }
        jails:
          resolver: { host: ns, image: bind, address: 172.16.3.53, start: ~ }
          tools: { host: ns, image: bind, address: 172.16.3.54, start: "exec sleep infinity" }
          web: { host: %s, address: auto, hostname: web.lab.test }
          app: { host: r3, address: 172.16.3.20 }
        """.formatted(images.getAddress().getPort(), imageSha256, webHost));
  }

  @AfterEach
  void down() throws Exception {
    images.stop(0);
    Cli.run("lab", "down", spec.toString());
    LabFixture.command("rm", "-rf", dir.toString());
  }

  @Test
  void jailsAreBuiltRoutedRegisteredRestartedAndMoved() throws Exception {
    writeSpec("r2", sha256);
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    long start = System.nanoTime();
    Cli.Run converge = Cli.run("--lab", spec.toString());
    System.out.printf("3 hosts, 4 jails (BIND in one), 2 images, OSPF, DNS: converge --lab: %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertThat(converge.exit()).as(converge.toString()).isZero();
    converge.out().lines().filter(l -> l.startsWith("created image/") || l.startsWith("created jail/"))
        .forEach(l -> System.out.println("  " + l));
    assertThat(lab.exec("ns", "ls", "/var/lib/converge/images/bind").out().lines().filter(l -> !l.equals("current")))
        .as("one debootstrap build, shared by resolver and tools").hasSize(1);
    System.out.println("  debootstrap image size: " + lab.exec("ns", "du", "-sb", "--apparent-size",
        "/var/lib/converge/images/bind/").out().split("\\s")[0] + " bytes");

    String web = "172.16.3.2";
    String app = "172.16.3.20";
    for (String host : List.of("ns", "r2", "r3")) {
      assertThat(lab.exec(host, "getent", "hosts", "web").out()).as("%s resolves web through ns", host)
          .startsWith(web + " ").contains("web.lab.test");
      assertThat(lab.exec(host, "getent", "hosts", "app").out()).startsWith(app + " ").contains("app.lab.test");
      assertThat(lab.page(host, web)).as("%s reaches web across OSPF", host).isEqualTo("web.lab.test\n");
      assertThat(lab.page(host, app)).as("%s reaches app across OSPF", host).isEqualTo("app\n");
    }
    assertThat(lab.exec("r3", "dig", "+short", "-x", web).out()).isEqualTo("web.lab.test.\n");
    assertThat(lab.inJail("r3", "app", "nslookup", "web.lab.test").out()).as("a jail resolves the others")
        .contains(web);
    assertThat(lab.inJail("ns", "tools", "getent", "hosts", "app").out()).startsWith(app + " ");

    start = System.nanoTime();
    Cli.Run again = Cli.run("--lab", spec.toString());
    System.out.printf("3 hosts, 2 jails: no-op converge: %.1f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("the second converge does nothing").isEmpty();

    lab.killJail("r2", "web");
    Cli.Run restart = Cli.run("--lab", spec.toString());
    assertThat(restart.exit()).as(restart.toString()).isZero();
    assertThat(restart.out()).contains("jail/r2:web");
    assertThat(lab.page("ns", web)).as("the killed jail serves again").isEqualTo("web.lab.test\n");

    Process watch = new ProcessBuilder(Cli.command("watch", "--lab", "--interval", "2s", spec.toString()))
        .redirectOutput(dir.resolve("watch.out").toFile()).redirectError(dir.resolve("watch.err").toFile()).start();
    try {
      String watched = lab.killJail("r2", "web");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Cli.Run now = lab.run("r2", "cat", "/var/lib/jails/web/pid");
        assertThat(now.out().strip()).as("watch restarted the jail within an interval").isNotEqualTo(watched);
      });
      assertThat(lab.page("ns", web)).isEqualTo("web.lab.test\n");
    } finally {
      watch.destroy();
      watch.waitFor(30, TimeUnit.SECONDS);
    }

    lab.exec("r2", "sh", "-c", "echo kept > /var/lib/jails/web/root/root/data");
    writeSpec("r3", sha256);
    start = System.nanoTime();
    Cli.Run move = Cli.run("--lab", spec.toString());
    System.out.printf("move of jail web r2 → r3: converge --lab: %.1f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(move.exit()).as(move.toString()).isZero();
    assertThat(Cli.run("plan", "--lab", spec.toString()).out()).doesNotContain("jail/");
    assertThat(lab.exec("r3", "cat", "/var/lib/jails/web/root/root/data").out()).isEqualTo("kept\n");
    assertThat(lab.run("r2", "test", "-e", "/var/lib/jails/web").exit())
        .as("nothing of web is left on r2").isNotZero();
    for (String host : List.of("ns", "r2", "r3")) {
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(lab.page(host, web)).as("%s reaches web at the same address on r3", host)
              .isEqualTo("web.lab.test\n"));
      assertThat(lab.exec(host, "getent", "hosts", "web.lab.test").out()).as("DNS keeps the address")
          .startsWith(web + " ");
    }
  }

  @Test
  void aTarballWithTheWrongDigestIsRefusedBeforeAnythingIsExtracted() throws Exception {
    writeSpec("r2", "0".repeat(64));
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();

    Cli.Run converge = Cli.run("--lab", spec.toString());

    assertThat(converge.exit()).isEqualTo(1);
    assertThat(converge.out() + converge.err()).contains("expected sha256 " + "0".repeat(64))
        .contains("nothing was extracted");
    for (String host : List.of("r2", "r3")) {
      assertThat(lab.run(host, "test", "-e", "/var/lib/converge/images/bb").exit())
          .as("no image directory on %s", host).isNotZero();
    }
  }

  @Test
  void developmentMode_mountsTheSourceAtUsrSrc_andTheDevelUserWritesAsTheInvokingUser() throws Exception {
    // the lab hosts see this machine's /var through a copy-on-write overlay: the directory is there, and what the
    // jail writes lands in the host's layer, where its owner is checked
    Path source = Files.createDirectories(Path.of("/var/tmp/converge-jail-it-" + UUID.randomUUID().toString()
        .substring(0, 8)));
    try {
      LabFixture.command("chown", "4321:4321", source.toString()); // the developer's checkout is theirs
      Files.writeString(spec, """
          site: jailit
          images:
            bb: { tarball: { url: "http://127.0.0.1:%d/bb.tar.gz", sha256: "%s" } }
          hosts:
            r2: { address: 198.51.100.2, loopback: 10.0.0.2/32 }
          networks:
            jails: { kind: loopback, interface: lo2, cidr: 172.16.3.0/24 }
          jails:
            dev: { host: r2, image: bb, network: jails, address: auto, start: "exec sleep 100000",
                   devel: { source: %s } }
          """.formatted(images.getAddress().getPort(), sha256, source));
      assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();

      Cli.Run converge = Cli.run(Map.of("SUDO_UID", "4321", "SUDO_GID", "4321"), "--lab", spec.toString());

      assertThat(converge.exit()).as(converge.toString()).isZero();
      lab.inJail("r2", "dev", "su", "-s", "/bin/sh", "devel", "-c", "echo made > /usr/src/made-in-jail");
      assertThat(lab.exec("r2", "stat", "-c", "%u:%g", source + "/made-in-jail").out())
          .as("the file the devel user wrote belongs to the user who ran converge (under sudo)")
          .isEqualTo("4321:4321\n");
      assertThat(lab.inJail("r2", "dev", "id", "devel").out()).startsWith("uid=4321(devel) gid=4321");
    } finally {
      LabFixture.command("rm", "-rf", source.toString());
    }
  }
}

package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example site itself, specs/site.yaml with its include, as the README's first command runs it: six lab hosts,
 * OSPF over the links, and its four jails on the lab's Debian stand-in for the FreeBSD release (the spec's
 * {@code lab} section) — the resolver serving my.domain and registering the others, web (nginx) and cache (an HTTP
 * server) on two more hosts, dhcp (Kea) on the bridge. Assertions ask the lab hosts and the jails, never converge.
 */
class SiteIT {

  private static final Path SPECS = Cli.home().resolve("specs");
  private static final List<String> SERVERS = List.of("server1", "server2", "server3", "server4", "server5");

  private Path dir;
  private Path spec;
  private LabShell lab;

  @BeforeEach
  void copySite() throws Exception {
    dir = Files.createDirectories(Cli.home().resolve("it/target/site-it-" + UUID.randomUUID().toString()
        .substring(0, 8)));
    for (String file : List.of("site.yaml", "site-fra.yaml", "keys/provision.pub")) {
      Files.createDirectories(dir.resolve(file).getParent());
      Files.copy(SPECS.resolve(file), dir.resolve(file));
    }
    spec = dir.resolve("site.yaml");
    lab = new LabShell(spec);
  }

  @AfterEach
  void down() throws Exception {
    Cli.run("lab", "down", spec.toString());
    LabFixture.command("rm", "-rf", dir.toString());
  }

  @Test
  void theExampleSiteConvergesWithItsJails_resolvedAndReachedFromEveryHostAndJail() throws Exception {
    assertThat(Cli.run("lab", "up", spec.toString()).exit()).isZero();
    long start = System.nanoTime();
    Cli.Run converge = Cli.run("--lab", spec.toString());
    System.out.printf("specs/site.yaml, fresh lab to everything ready: converge --lab: %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertThat(converge.exit()).as(converge.toString()).isZero();
    assertThat(dir.resolve("secrets/rndc.key")).as("the TSIG key, generated on first use").exists();

    String web = address("server2", "web");
    String cache = address("server5", "cache");
    String resolver = "172.16.3.2";
    for (String host : SERVERS) {
      assertThat(lab.exec(host, "getent", "hosts", "web.my.domain").out()).as("%s resolves web", host)
          .startsWith(web + " ");
      assertThat(lab.exec(host, "getent", "hosts", "cache.my.domain").out()).as("%s resolves cache", host)
          .startsWith(cache + " ");
      assertThat(lab.exec(host, "getent", "hosts", "resolver.my.domain").out()).startsWith(resolver + " ");
      assertThat(lab.page(host, "web.my.domain")).as("%s reaches web", host)
          .contains("<title>Welcome to nginx!</title>");
      assertThat(lab.page(host, "cache.my.domain")).as("%s reaches cache across OSPF", host).isEqualTo("cache\n");
    }
    assertThat(lab.exec("server3", "dig", "+short", "-x", web).out()).isEqualTo("web.my.domain.\n");
    assertThat(lab.exec("server3", "dig", "+short", "www.my.domain").out()).as("the spec's own records")
        .isEqualTo("web.my.domain.\n" + web + "\n");
    for (String[] jail : List.of(new String[] {"server2", "web"}, new String[] {"server5", "cache"},
        new String[] {"server1", "dhcp"})) {
      assertThat(lab.inJail(jail[0], jail[1], "getent", "hosts", "web.my.domain").out())
          .as("jail %s resolves web", jail[1]).startsWith(web + " ");
      // bash's /dev/tcp: the image's busybox wget crashes, and it has no curl
      assertThat(lab.inJail(jail[0], jail[1], "timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/cache.my.domain/80;"
          + " printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3").out())
          .as("jail %s reaches cache", jail[1]).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\ncache\n");
    }
    assertThat(lab.exec("server1", "cat", "/var/lib/jails/dhcp/console.log").out()).as("Kea serves in its jail")
        .contains("DHCP4_STARTED");
    assertThat(lab.inJail("server2", "web", "id", "provision").out()).as("the provision user of the defaults")
        .contains("(provision)");

    start = System.nanoTime();
    Cli.Run again = Cli.run("--lab", spec.toString());
    System.out.printf("specs/site.yaml: no-op converge --lab: %.1f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("the second converge does nothing").isEmpty();

    lab.killJail("server5", "cache");
    Cli.Run restart = Cli.run("--lab", spec.toString());
    assertThat(restart.exit()).as(restart.toString()).isZero();
    assertThat(restart.out()).contains("jail/server5:cache");
    assertThat(lab.page("server1", "cache.my.domain")).as("the killed jail serves again").isEqualTo("cache\n");
  }

  /** The address the jail has (IPAM gave web and cache theirs), as its own network namespace shows it. */
  private String address(String host, String jail) throws Exception {
    Matcher m = Pattern.compile("inet (172\\.16\\.3\\.\\d+) ").matcher(lab.exec(host, "ip", "-n", "cj-" + jail, "-4",
        "-o", "addr", "show").out());
    assertThat(m.find()).as("jail %s has an address of the jails network", jail).isTrue();
    return m.group(1);
  }
}

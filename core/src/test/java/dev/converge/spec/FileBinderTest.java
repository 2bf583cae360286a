package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code files:}: paths, content or template, mode, ownership, state. */
class FileBinderTest {

  @TempDir Path dir;

  private SpecFixture spec(String files) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "files:\n" + files.indent(2));
  }

  @Test
  void aFileWithContent_andOneWithATemplate() {
    List<FileSpec> files = spec("""
        - { host: server1, path: /etc/motd, content: "hello\\n", mode: "0640", owner: root, group: wheel }
        - host: mgmt
          path: /etc/site
          mode: 644
          template: |
            site ${site} on ${host.name}
        - { host: server1, path: /etc/old, state: absent, requires: [file/mgmt:/etc/site] }
        """).spec().files();
    assertThat(files.get(0)).isEqualTo(new FileSpec("server1", "/etc/motd", new Location(dir.resolve("site.yaml"),
        6, 5), Optional.of("hello\n"), Optional.empty(), Optional.of(0640), Optional.of("root"),
        Optional.of("wheel"), false, List.of()));
    assertThat(files.get(1).template().orElseThrow().text()).isEqualTo("site ${site} on ${host.name}\n");
    assertThat(files.get(1).mode()).contains(0644);
    assertThat(files.get(2).absent()).isTrue();
    assertThat(files.get(2).requires()).extracting(Reference::toString).containsExactly("file/mgmt:/etc/site");
  }

  @Test
  void modes_areOctalText() {
    assertThat(spec("""
        - { host: server1, path: /a, content: x, mode: 0755 }
        - { host: server1, path: /b, content: x, mode: 4755 }
        - { host: server1, path: /c, content: x, mode: 0999 }
        - { host: server1, path: /d, content: x, mode: 17777 }
        - { host: server1, path: /e, content: x, mode: rw-r--r-- }
        """).problems()).containsExactly(
        "site.yaml:8:50: `mode` in file `/c`: found `0999`, expected an octal mode such as 0644 (at most 07777)",
        "site.yaml:9:50: `mode` in file `/d`: found `17777`, expected an octal mode such as 0644 (at most 07777)",
        "site.yaml:10:50: `mode` in file `/e`: found `rw-r--r--`, expected an octal mode such as 0644 (at most"
            + " 07777)");
  }

  @Test
  void paths_areAbsoluteAndNormalised() {
    assertThat(spec("""
        - { host: server1, path: etc/motd, content: x }
        - { host: server1, path: /etc/./motd, content: x }
        - { host: server1, path: /etc//motd, content: x }
        - { host: server1, path: /etc/, content: x }
        """).problems()).extracting(p -> p.substring(0, p.indexOf(" in "))).containsExactly(
        "site.yaml:6:28: `path`", "site.yaml:7:28: `path`", "site.yaml:8:28: `path`", "site.yaml:9:28: `path`");
  }

  @Test
  void hostAndPath_areRequired_andTheHostMustExist() {
    assertThat(spec("""
        - { content: x }
        - { host: server2, path: /x, content: x }
        """).problems()).containsExactly(
        "site.yaml:6:5: missing key `host` in file entry: expected a host defined in the spec",
        "site.yaml:6:5: missing key `path` in file entry: expected an absolute, normalised path (starting with `/`,"
            + " without `.` or `..` segments, `//` or a trailing `/`)",
        "site.yaml:7:13: `host` in file `/x`: found `server2`, expected a host defined in the spec — did you mean"
            + " `server1`?");
  }

  @Test
  void exactlyOneOfContentAndTemplate_unlessAbsent() {
    assertThat(spec("""
        - { host: server1, path: /a }
        - { host: server1, path: /b, content: x, template: y }
        - { host: server1, path: /c, state: absent, content: x }
        - { host: server1, path: /d, state: gone }
        """).problems()).containsExactly(
        "site.yaml:6:5: missing one of `content`, `template` in file `/a`: expected exactly one: the text as"
            + " `content`, or as `template` with ${...} variables (or state: absent)",
        "site.yaml:7:54: `template` in file `/b`: found both `content` and `template`: expected exactly one of"
            + " them",
        "site.yaml:8:56: `content` in file `/c`: found `content` with state: absent: expected no content for a"
            + " file that must not exist",
        "site.yaml:9:39: `state` in file `/d`: found `gone`, expected one of present, absent");
  }

  @Test
  void theSameFileTwice_isADuplicate() {
    assertThat(spec("""
        - { host: server1, path: /etc/motd, content: a }
        - { host: server1, path: /etc/motd, content: b }
        - { host: mgmt, path: /etc/motd, content: c }
        """).problems()).containsExactly(
        "site.yaml:7:28: duplicate file `server1:/etc/motd`: already defined at site.yaml:6:5");
  }

  @Test
  void ownerAndGroup_areUserNames() {
    assertThat(spec("- { host: server1, path: /a, content: x, owner: \"root;rm\", group: Wheel }").problems())
        .containsExactly(
            "site.yaml:6:51: `owner` in file `/a`: found `root;rm`, expected a user name: lower-case letters,"
                + " digits, `_` and `-`, starting with a letter or `_` (at most 32 characters)",
            "site.yaml:6:69: `group` in file `/a`: found `Wheel`, expected a user name: lower-case letters,"
                + " digits, `_` and `-`, starting with a letter or `_` (at most 32 characters)");
  }

  @Test
  void templateSyntaxErrors_pointIntoTheBlock() {
    assertThat(spec("""
        - host: server1
          path: /etc/x
          template: |
            line one
              indented ${host.name} and ${unclosed
        """).problems()).containsExactly(
        "site.yaml:10:35: `template` in file `/etc/x`: unclosed `${` in template: expected `}`");
  }

  @Test
  void templateVariables_mustResolve_errorsAtEachPlaceholder() {
    assertThat(new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + """
        files:
          - host: mgmt
            path: /etc/x
            template: "${host.address} ${hosts.server1.adress} ${hosts.server9.name} ${secret.none} ${nets.x}"
        """).problems()).containsExactly(
        "site.yaml:8:16: template variable `${host.address}`: host `mgmt` (the file's host) has no address (a local"
            + " host): expected a host with `address`",
        "site.yaml:8:32: template variable `${hosts.server1.adress}`: found attribute `adress`, expected one of"
            + " name, address, os, loopback — did you mean `address`?",
        "site.yaml:8:56: template variable `${hosts.server9.name}`: found host `server9`, expected a host defined"
            + " in the spec — did you mean `server1`?",
        "site.yaml:8:78: template variable `${secret.none}`: found secret `none`, expected a secret defined in the"
            + " spec",
        "site.yaml:8:93: template variable `${nets.x}`: found `nets`, expected a variable starting with one of"
            + " site, host, hosts, networks, jails, zones, secret");
  }
}

package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code zfs diff -H -F ORIGIN DATASET} output, in OpenZFS's shape, read as the paths to remove and to carry. */
class ZfsDiffTest {

  private static final String ROOT = "/usr/local/converge/jails/web/root";

  @Test
  void everyKindOfChange_becomesAPathToRemoveOrToCarry() {
    String output = String.join("\n",
        "M\t/\t" + ROOT + "/",
        "M\t/\t" + ROOT + "/etc",
        "M\tF\t" + ROOT + "/etc/rc.conf",
        "+\t/\t" + ROOT + "/usr/local/www",
        "+\tF\t" + ROOT + "/usr/local/www/index.html",
        "-\tF\t" + ROOT + "/etc/motd.template",
        "R\tF\t" + ROOT + "/root/old.txt\t" + ROOT + "/root/new.txt",
        "M\tF\t" + ROOT + "/root/linked\t(+1)",
        "+\t@\t" + ROOT + "/root/link",
        "");

    ZfsDiff diff = ZfsDiff.parse(output, ROOT);

    assertThat(diff.removed()).containsExactly("etc/motd.template", "root/old.txt");
    assertThat(diff.written()).as("the root itself is the new clone's; parents come before their children")
        .containsExactly("etc", "etc/rc.conf", "root/link", "root/linked", "root/new.txt", "usr/local/www",
            "usr/local/www/index.html");
  }

  @Test
  void escapedBytes_areDecoded_spacesTabsBackslashesAndUtf8() {
    String output = "+\tF\t" + ROOT + "/srv/a\\0040b\n"
        + "+\tF\t" + ROOT + "/srv/tab\\0011here\n"
        + "+\tF\t" + ROOT + "/srv/back\\0134slash\n"
        + "+\tF\t" + ROOT + "/srv/caf\\0303\\0251\n";

    assertThat(ZfsDiff.parse(output, ROOT).written())
        .containsExactly("srv/a b", "srv/back\\slash", "srv/café", "srv/tab\there");
  }

  @Test
  void aPathOutsideTheRootOrALineOfAnotherShape_isAnError() {
    assertThatThrownBy(() -> ZfsDiff.parse("+\tF\t/etc/passwd\n", ROOT))
        .hasMessage("zfs diff: `/etc/passwd` is not under " + ROOT);
    assertThatThrownBy(() -> ZfsDiff.parse("+\tF\t" + ROOT + "/../../etc/passwd\n", ROOT))
        .hasMessageContaining("is not under");
    assertThatThrownBy(() -> ZfsDiff.parse("M " + ROOT + "/etc\n", ROOT))
        .hasMessageStartingWith("zfs diff: expected CHANGE<tab>TYPE<tab>PATH");
    assertThatThrownBy(() -> ZfsDiff.parse("+\tF\t" + ROOT + "/a\\12\n", ROOT))
        .hasMessageStartingWith("zfs diff: a backslash not followed by four octal digits");
    assertThatThrownBy(() -> ZfsDiff.parse("R\tF\t" + ROOT + "/a\n", ROOT))
        .hasMessageStartingWith("zfs diff: a rename without its new path");
  }
}

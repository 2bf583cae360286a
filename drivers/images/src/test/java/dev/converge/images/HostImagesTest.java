package dev.converge.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The image probe's output, as captured from {@link ImageDriver#PROBE_IMAGES} run by sh on this machine over a tree
 * with two finished builds, one half-built, a current link and two jails (one pretty-printed jail.json, one compact
 * without a final newline).
 */
class HostImagesTest {

  private static final String WEB = "/var/lib/converge/images/web";
  private static final String V1 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final String V2 = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

  @Test
  void theCurrentBuild_isTheOneTheLinkNames_withItsMarker() throws IOException {
    HostImages state = HostImages.parse(captured("linux-probe.txt"));

    assertThat(state.zfs()).isEmpty();
    assertThat(state.current()).containsEntry("web", "fedcba9876543210");
    Marker current = state.currentMarker("web").orElseThrow();
    assertThat(current.digest()).isEqualTo(V2);
    assertThat(current.bytes()).isEqualTo(2154301);
    assertThat(current.source()).containsEntry("type", "tarball").containsEntry("path", "/srv/web-v2.tar.gz");
    assertThat(state.currentMarker("other")).as("an image never built").isEmpty();
  }

  @Test
  void jails_recordTheBuildsTheyUse_fromPrettyAndCompactJailJson() throws IOException {
    HostImages state = HostImages.parse(captured("linux-probe.txt"));

    assertThat(state.users()).containsEntry(WEB + "/0123456789abcdef", List.of("app1"))
        .containsEntry(WEB + "/fedcba9876543210", List.of("app2"));
  }

  @Test
  void aBuildWithoutMarker_isHalfBuilt_andNeverStale() throws IOException {
    HostImages state = HostImages.parse(captured("linux-probe.txt"));

    assertThat(state.builds().get("web")).containsEntry("aaaaaaaaaaaaaaaa.tmp.Xy12Zq", Optional.empty());
    assertThat(state.stale("web", WEB)).as("v1 is used by app1").isEmpty();
  }

  @Test
  void aFinishedBuild_neitherCurrentNorUsed_isStale() throws IOException {
    String unused = captured("linux-probe.txt").replace("used app1 " + WEB + "/0123456789abcdef\n", "");

    assertThat(HostImages.parse(unused).stale("web", WEB)).containsExactly(V1);
  }

  @Test
  void aZfsHost_namesItsPoolAndMountpoint_first() {
    HostImages state = HostImages.parse("zfs zroot /zroot/converge/images\ncurrent base 0123456789abcdef\n");

    assertThat(state.zfs()).contains(new HostImages.Zfs("zroot", "/zroot/converge/images"));
    assertThat(state.currentMarker("base")).as("the link names a build that is not there").isEmpty();
  }

  @Test
  void aDamagedMarker_isAnError_namingTheBuild() {
    assertThatThrownBy(() -> HostImages.parse("build web 0123456789abcdef {\"digest\": \n"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the marker of build 0123456789abcdef of image web is damaged");
  }

  static String captured(String name) throws IOException {
    try (InputStream in = HostImagesTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

package dev.converge.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.resource.Sensitive;
import dev.converge.spec.Location;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DesiredFileTest {

  @Test
  void of_readsEveryManagedField() {
    DesiredFile f = DesiredFile.of(resource("/etc/motd",
        Map.of("type", "file", "content", "hi", "mode", "0640", "owner", "root", "group", "wheel")));

    assertThat(f).isEqualTo(new DesiredFile(Optional.of("file"), Optional.of("hi"), Optional.of("0640"),
        Optional.of("root"), Optional.of("wheel")));
    assertThat(f.permissions()).contains(0640);
    assertThat(f.isSensitive()).isFalse();
  }

  @Test
  void of_leavesAbsentFieldsUnmanaged() {
    DesiredFile f = DesiredFile.of(resource("/etc/motd", Map.of()));

    assertThat(f.content()).isEmpty();
    assertThat(f.mode()).isEmpty();
    assertThat(f.owner()).isEmpty();
  }

  @Test
  void contentSha256_isTheDigestOfTheUtf8Bytes() {
    DesiredFile f = DesiredFile.of(resource("/x", Map.of("content", new Sensitive("é"))));

    assertThat(f.isSensitive()).isTrue();
    assertThat(f.contentSha256()).contains("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
  }

  @ParameterizedTest
  @ValueSource(strings = {"644", "00644", "0x44", "0648", "rw-r--r--"})
  void of_refusesAModeThatIsNotFourOctalDigits(String mode) {
    assertThatThrownBy(() -> DesiredFile.of(resource("/x", Map.of("mode", mode))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file/h:/x: `mode` must be four octal digits like \"0644\", found \"" + mode + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-R", "root:wheel", "a b", "", "x/y"})
  void of_refusesOwnersThatCouldBeReadAsSomethingElse(String owner) {
    assertThatThrownBy(() -> DesiredFile.of(resource("/x", Map.of("owner", owner))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("`owner` must be a user or group name or number");
  }

  @Test
  void of_refusesUnknownFieldsAndOtherTypes() {
    assertThatThrownBy(() -> DesiredFile.of(resource("/x", Map.of("contents", "hi"))))
        .hasMessage("file/h:/x: unknown property `contents` (expected one of content, group, mode, owner, type)");
    assertThatThrownBy(() -> DesiredFile.of(resource("/x", Map.of("type", "directory"))))
        .hasMessage("file/h:/x: `type` must be \"file\", found \"directory\"");
    assertThatThrownBy(() -> DesiredFile.of(resource("/x", Map.of("content", 42))))
        .hasMessage("file/h:/x: `content` must be text");
  }

  @ParameterizedTest
  @ValueSource(strings = {"etc/motd", "/", "/etc/", "/etc//motd", "/etc/./motd", "/etc/../shadow", "/etc/.."})
  void path_mustBeAbsoluteAndNormalised(String path) {
    assertThatThrownBy(() -> DesiredFile.path(resource(path, Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be absolute and normalised");
  }

  @Test
  void path_acceptsOrdinaryAndOddNames() {
    assertThat(DesiredFile.path(resource("/etc/motd", Map.of()))).isEqualTo("/etc/motd");
    assertThat(DesiredFile.path(resource("/srv/.hidden/a b..c", Map.of()))).isEqualTo("/srv/.hidden/a b..c");
  }

  private static Resource resource(String path, Map<String, ?> properties) {
    return Resource.present(ResourceId.of("file", "h", path), Properties.of(properties), Location.unknown());
  }
}

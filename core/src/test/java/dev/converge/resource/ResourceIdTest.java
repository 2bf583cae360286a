package dev.converge.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceIdTest {

  @Test
  void printsAndParsesKindTargetName() {
    ResourceId id = ResourceId.of("file", "mgmt", "/etc/motd");
    assertThat(id).hasToString("file/mgmt:/etc/motd");
    assertThat(ResourceId.parse("file/mgmt:/etc/a:b")).isEqualTo(ResourceId.of("file", "mgmt", "/etc/a:b"));
  }

  @Test
  void ordersByKindThenTargetThenName() {
    assertThat(ResourceId.of("file", "b", "/a")).isGreaterThan(ResourceId.of("file", "a", "/z"));
    assertThat(ResourceId.of("dns-record", "z", "/z")).isLessThan(ResourceId.of("file", "a", "/a"));
  }

  @Test
  void rejectsUnsafeTargetsAndControlCharacters() {
    assertThatThrownBy(() -> ResourceId.of("file", "-rf", "/x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResourceId.of("file", "a b", "/x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResourceId.of("file", "a", "/x\ny")).isInstanceOf(IllegalArgumentException.class);
  }
}

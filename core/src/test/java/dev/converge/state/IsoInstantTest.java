package dev.converge.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoInstantTest {

  @ParameterizedTest
  @ValueSource(longs = {1L, 42L, 20261122L})
  void format_isExactlyInstantToString_andParsesBack(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      long second = random.nextLong(-62_167_219_200L - 86_400L * 400, 253_402_300_800L + 86_400L * 400);
      int nanos = switch (random.nextInt(4)) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant instant = Instant.ofEpochSecond(second, nanos);

      String text = IsoInstant.format(instant);

      assertThat(text).as("seed %d, instant %s", seed, instant).isEqualTo(instant.toString());
      assertThat(IsoInstant.parse(text)).as("seed %d", seed).isEqualTo(instant);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-22T10:00:00.1Z", "2026-11-22T10:00:00.12345Z", "2026-11-22T10:00:00,5Z",
      "2026-02-28T24:00:00Z", "+12026-11-22T10:00:00Z", "2026-11-22T10:00Z", "2026-11-22T10:00:00.Z"})
  void parse_agreesWithTheJdkOutsideTheFastPath(String text) {
    Object expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeParseException e) {
      expected = DateTimeParseException.class;
    }

    if (expected instanceof Instant instant) {
      assertThat(IsoInstant.parse(text)).isEqualTo(instant);
    } else {
      assertThatThrownBy(() -> IsoInstant.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "2026-13-22T10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-22T1x:00:00Z",
      ""})
  void parse_rejectsWhatTheJdkRejects(String text) {
    assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> IsoInstant.parse(text)).isInstanceOf(DateTimeParseException.class);
  }
}

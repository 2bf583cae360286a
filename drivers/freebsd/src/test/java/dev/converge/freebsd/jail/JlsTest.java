package dev.converge.freebsd.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code jls -n --libxo json} as FreeBSD 14.3 prints it: the fixture is a real capture with six jails (published as
 * test data of mondoohq/mql, providers/os/resources/testdata/freebsd14-jls.json; see driver-facts §3).
 */
class JlsTest {

  static String capture() throws IOException {
    try (InputStream in = JlsTest.class.getResourceAsStream("/jls/freebsd14-jls.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsEveryJailOfTheRealCaptureWithNumbersGivenAsStrings() throws IOException {
    Map<String, Jls.Entry> jails = Jls.parse(capture());

    assertThat(jails).containsOnlyKeys("empty", "vnetjail", "empty.child", "web", "db", "v6");
    assertThat(jails.get("web")).isEqualTo(new Jls.Entry(4, "web", "web.example.internal", "/",
        List.of("127.0.1.1")));
    assertThat(jails.get("v6").ip4()).containsExactly("10.9.9.9", "10.9.9.10");
    assertThat(jails.get("db").path()).isEqualTo("/jails");
  }

  @Test
  void noJailsIsAnEmptyList() {
    assertThat(Jls.parse("{\"__version\": \"2\", \"jail-information\": {\"jail\": []}}\n")).isEmpty();
  }

  @Test
  void anErrorInsteadOfJsonIsAClearError() {
    assertThatThrownBy(() -> Jls.parse("jls: unknown parameter: libxo\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jls printed no JSON document");
    assertThatThrownBy(() -> Jls.parse("{\"__version\": \"2\"}"))
        .hasMessage("jls printed no jail-information.jail array");
  }
}

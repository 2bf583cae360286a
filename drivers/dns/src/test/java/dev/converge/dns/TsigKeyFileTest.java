package dev.converge.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TsigKeyFileTest {

  /** Output of {@code tsig-keygen -a hmac-sha256 rndc-key} (BIND 9.18), captured on this machine. */
  private static final String TSIG_KEYGEN = """
      key "rndc-key" {
      	algorithm hmac-sha256;
      	secret "0WAyOvUSwl8U8sMdFnKVLBu4HNJu1dw2cMcYPdx5N0o=";
      };
      """;

  @Test
  void readsWhatTsigKeygenWrites() {
    TsigKeyFile key = TsigKeyFile.parse(TSIG_KEYGEN, "secret rndc-key");

    assertThat(key.name()).isEqualTo("rndc-key");
    assertThat(key.algorithm()).isEqualTo("hmac-sha256");
    assertThat(key.secret()).isEqualTo("0WAyOvUSwl8U8sMdFnKVLBu4HNJu1dw2cMcYPdx5N0o=");
  }

  @Test
  void rendersWhatItReads() {
    TsigKeyFile key = TsigKeyFile.parse(TSIG_KEYGEN, "secret rndc-key");

    assertThat(TsigKeyFile.parse(key.render(), "rendered")).isEqualTo(key);
  }

  @Test
  void neverShowsTheSecret() {
    TsigKeyFile key = TsigKeyFile.parse(TSIG_KEYGEN, "secret rndc-key");

    assertThat(key.toString()).contains("rndc-key").doesNotContain(key.secret());
    assertThatThrownBy(() -> TsigKeyFile.parse(TSIG_KEYGEN.replace("0WAy", "0W!y"), "secret rndc-key"))
        .hasMessageContaining("not base64")
        .hasMessageNotContaining("VLBu4HNJu1dw2cMcYPdx5N0o");
  }

  @Test
  void refusesTextThatIsNoKey() {
    assertThatThrownBy(() -> TsigKeyFile.parse("hunter2\n", "secret rndc-key"))
        .hasMessageStartingWith("secret rndc-key is not a TSIG key file")
        .hasMessageNotContaining("hunter2");
  }
}

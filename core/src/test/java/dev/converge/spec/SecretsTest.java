package dev.converge.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secrets:} as the loader binds them (references only, never values), and {@link Secrets}, which reads
 * values when they are used.
 */
class SecretsTest {

  private static final String VALUE = "CorrectHorseBatteryRoute";

  @TempDir Path dir;

  private SpecFixture spec(String secrets) {
    return new SpecFixture(dir).file("site.yaml", SpecFixture.BASE + "secrets:\n" + secrets.indent(2));
  }

  private void secretFile(String name, String content, String mode) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
  }

  @Test
  void secrets_areReferencesToAFileOrAnEnvironmentVariable() {
    Spec spec = spec("""
        ospf-key: { file: secrets/ospf.key }
        home-key: { file: ~/converge.key }
        api-token: { env: API_TOKEN }
        """).spec();
    assertThat(spec.secrets().get("ospf-key").file()).contains(dir.resolve("secrets/ospf.key"));
    assertThat(spec.secrets().get("home-key").file())
        .contains(Path.of(System.getProperty("user.home"), "converge.key"));
    assertThat(spec.secrets().get("api-token").env()).contains("API_TOKEN");
    assertThat(spec.secrets().get("api-token").location()).isEqualTo(new Location(dir.resolve("site.yaml"), 8, 3));
  }

  @Test
  void aMissingFileOrUnsetVariable_isNotALoadError() {
    assertThat(spec("""
        a: { file: nowhere/a.key }
        b: { env: CONVERGE_TEST_SURELY_UNSET }
        """).load().warnings()).isEmpty();
  }

  @Test
  void exactlyOneOfFileAndEnv() {
    assertThat(spec("""
        a: {}
        b: { file: b.key, env: B }
        c: { env: "not a name" }
        """).problems()).containsExactly(
        "site.yaml:6:3: missing one of `file`, `env` in secret `a`: expected exactly one: `file: PATH` or `env:"
            + " VARIABLE`",
        "site.yaml:7:26: `env` in secret `b`: found both `file` and `env`: expected exactly one of them",
        "site.yaml:8:13: `env` in secret `c`: found `not a name`, expected an environment variable name such as"
            + " OSPF_KEY");
  }

  @Test
  void aSecretFileOthersCanRead_isAWarning() throws Exception {
    secretFile("secrets/ospf.key", VALUE + "\n", "rw-r--r--");
    secretFile("secrets/ok.key", VALUE, "rw-------");
    assertThat(spec("""
        ospf-key: { file: secrets/ospf.key }
        ok-key: { file: secrets/ok.key }
        """).warnings()).containsExactly("site.yaml:6:21: warning: secret `ospf-key` file secrets/ospf.key is"
        + " readable by group/others (mode 0644): chmod 600 it");
  }

  @Test
  void aFileValue_isItsContentWithoutTrailingLineBreaks() throws Exception {
    secretFile("ospf.key", VALUE + "\r\n\n", "rw-------");
    Secrets secrets = Secrets.of(spec("ospf-key: { file: ospf.key }").spec(), Map.of());
    assertThat(secrets.value("ospf-key")).isEqualTo(VALUE);
  }

  @Test
  void anEnvironmentValue_comesFromTheGivenEnvironment() {
    SpecLoader.Result result = spec("token: { env: API_TOKEN }")
        .loader(SpecLoader.builder().environment(Map.of("API_TOKEN", VALUE))).load();
    assertThat(result.secrets().value("token")).isEqualTo(VALUE);
    assertThat(Secrets.of(result.spec(), Map.of("API_TOKEN", "other")).value("token")).isEqualTo("other");
  }

  @Test
  void aGeneratedSecret_isWrittenOnFirstUse_mode0600_andKeptFromThenOn() throws Exception {
    Spec spec = spec("""
        rndc-key: { file: secrets/rndc.key, generate: tsig-key }
        db-password: { file: secrets/db.pass, generate: password }
        """).spec();
    assertThat(dir.resolve("secrets")).as("loading never writes").doesNotExist();

    String key = Secrets.of(spec, Map.of()).value("rndc-key");
    String password = Secrets.of(spec, Map.of()).value("db-password");

    assertThat(key).matches("key \"rndc-key\" \\{\n\talgorithm hmac-sha256;\n\tsecret \"[A-Za-z0-9+/]{43}=\";\n};");
    assertThat(password).matches("[A-Za-z0-9]{32}");
    assertThat(Files.getPosixFilePermissions(dir.resolve("secrets/rndc.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Secrets.of(spec, Map.of()).value("rndc-key")).as("a later run reads the same key").isEqualTo(key);
    assertThat(Files.list(dir.resolve("secrets"))).as("no temporary file is left")
        .extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder("rndc.key", "db.pass");
  }

  @Test
  void anExistingFile_isNeverOverwrittenByGenerate() throws Exception {
    secretFile("rndc.key", VALUE, "rw-------");

    assertThat(Secrets.of(spec("rndc-key: { file: rndc.key, generate: tsig-key }").spec(), Map.of())
        .value("rndc-key")).isEqualTo(VALUE);
  }

  @Test
  void generate_isOneOfItsKinds_andOnlyForFiles() {
    assertThat(spec("""
        a: { file: a.key, generate: tsig }
        b: { env: B, generate: password }
        """).problems()).containsExactly(
        "site.yaml:6:31: `generate` in secret `a`: found `tsig`, expected one of tsig-key, password — did you mean"
            + " `tsig-key`?",
        "site.yaml:7:26: `generate` in secret `b`: found `generate` with `env`: expected it only with `file`, which"
            + " it writes");
  }

  @Test
  void valuesAreReadOnce_andKeptForTheInstance() throws Exception {
    secretFile("a.key", VALUE, "rw-------");
    Secrets secrets = Secrets.of(spec("a: { file: a.key }").spec(), Map.of());
    assertThat(secrets.value("a")).isEqualTo(VALUE);
    Files.delete(dir.resolve("a.key"));
    assertThat(secrets.value("a")).isEqualTo(VALUE);
  }

  @Test
  void unusableSecrets_areErrorsNamingTheSecretAndWhereItIsDefined() throws Exception {
    secretFile("empty.key", "\n", "rw-------");
    Spec spec = spec("""
        missing: { file: missing.key }
        unset: { env: CONVERGE_TEST_SURELY_UNSET }
        empty: { file: empty.key }
        """).spec();
    Secrets secrets = Secrets.of(spec, Map.of());
    String site = dir.resolve("site.yaml").toString();
    assertThatThrownBy(() -> secrets.value("missing")).isInstanceOf(SecretException.class)
        .hasMessage("secret `missing` (" + site + ":6:3): file " + dir.resolve("missing.key") + " does not exist");
    assertThatThrownBy(() -> secrets.value("unset")).isInstanceOf(SecretException.class)
        .hasMessage("secret `unset` (" + site + ":7:3): environment variable CONVERGE_TEST_SURELY_UNSET is not set");
    assertThatThrownBy(() -> secrets.value("empty")).isInstanceOf(SecretException.class)
        .hasMessage("secret `empty` (" + site + ":8:3) is empty: expected a value");
    assertThatThrownBy(() -> secrets.value("other")).isInstanceOf(SecretException.class)
        .hasMessage("secret `other` is not defined in the spec: expected one of empty, missing, unset");
  }

  @Test
  void valuesNeverAppearInMessagesOrToString() throws Exception {
    secretFile("big.key", VALUE.repeat(50_000), "rw-------");
    secretFile("a.key", VALUE, "rw-------");
    Secrets secrets = Secrets.of(spec("""
        big: { file: big.key }
        a: { file: a.key }
        """).spec(), Map.of());
    assertThatThrownBy(() -> secrets.value("big")).isInstanceOf(SecretException.class)
        .hasMessageContaining("is larger than 1048576 bytes")
        .hasMessageNotContaining(VALUE);
    secrets.value("a");
    assertThat(secrets.toString()).isEqualTo("Secrets[a, big]").doesNotContain(VALUE);
    assertThat(Optional.of(secrets.value("a"))).contains(VALUE);
  }

  @Test
  void unreadSecrets_neverTouchTheFileAndNameTheSecret() {
    Spec spec = spec("api-token: { file: nowhere/token }").spec();

    assertThat(Secrets.unread(spec).value("api-token")).isEqualTo("(secret api-token)");
  }
}

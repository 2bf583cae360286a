package dev.converge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.linux.UserState.Account;
import dev.converge.linux.UserState.OwnedFile;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserStateTest {

  @Test
  void systemAccounts_andAMissingOne_fromThisMachine() {
    List<UserState> states = UserState.parse(Captured.read("user-debian12.txt"), List.of("root", "nosuch", "_apt",
        "frr"));

    Account root = states.get(0).account().orElseThrow();
    assertThat(root.uid()).isZero();
    assertThat(root.shell()).isEqualTo("/bin/bash");
    assertThat(root.authorizedKeys()).isEmpty();
    assertThat(states.get(1).account()).isEmpty();
    assertThat(states.get(2).account().orElseThrow().supplementaryGroups()).isEmpty();
    assertThat(states.get(3).account().orElseThrow().supplementaryGroups()).containsExactly("frrvty");
    assertThat(states).allMatch(s -> s.sudoers().isEmpty());
  }

  @Test
  void aProvisioningUser_withKeysAndSudo_andALeftoverSudoersFile() {
    List<UserState> states = UserState.parse(Captured.read("user-with-keys-and-sudo-lab.txt"),
        List.of("cvcap", "cvgone", "root"));

    Account cvcap = states.get(0).account().orElseThrow();
    assertThat(cvcap.uid()).isEqualTo(2001);
    assertThat(cvcap.gid()).isEqualTo(2001);
    assertThat(cvcap.home()).isEqualTo("/home/cvcap");
    assertThat(cvcap.supplementaryGroups()).containsExactly("adm", "users");
    assertThat(cvcap.sshDirectory()).contains(new OwnedFile("700", "cvcap", ""));
    assertThat(cvcap.authorizedKeys().orElseThrow().mode()).isEqualTo("644");
    assertThat(cvcap.authorizedKeys().orElseThrow().content()).startsWith("ssh-ed25519 ").endsWith(" a@test\n");
    assertThat(states.get(0).sudoers()).contains(new OwnedFile("440", "root", UserDriver.sudoersRule("cvcap")));

    assertThat(states.get(1).account()).isEmpty();
    assertThat(states.get(1).sudoers().orElseThrow().content()).isEqualTo("cvgone ALL=(ALL) ALL\n");
    assertThat(states.get(2).sudoers()).isEqualTo(Optional.empty());
  }

  @Test
  void outputThatEndsEarly_namesTheUser() {
    assertThatThrownBy(() -> UserState.parse("none\n", List.of("alice")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("alice").hasMessageContaining("ends early");
  }
}

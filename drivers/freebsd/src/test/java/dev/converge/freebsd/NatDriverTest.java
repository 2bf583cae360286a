package dev.converge.freebsd;

import static dev.converge.testing.ScriptedTransport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.driver.ActionException;
import dev.converge.resource.Observation;
import dev.converge.resource.Resource;
import dev.converge.testing.ScriptedTransport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pfctl's output as the Handbook and driver-facts §4 show it; pfctl normalises rules when it prints them. */
class NatDriverTest {

  private static final String ENABLED = """
      info Status: Enabled for 0 days 01:12:09           Debug: Urgent
      info
      info State Table                          Total             Rate
      main nat-anchor "converge/*" all
      """;

  private final NatDriver driver = new NatDriver();
  private final Resource jails = Resources.present("nat", "jails", Map.of("source", "172.16.3.0/24",
      "interface", "vtnet0"));
  private final Resource vms = Resources.present("nat", "vms", Map.of("source", "10.1.0.0/24",
      "interface", "vtnet0"));

  @Test
  void probe_readsPfAndEveryAnchorInOneExec_ignoringThePoolOptionPfctlAppends() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(NatDriver.SCRIPT, "jails", "vms"), ENABLED
        + "= jails\nr nat on vtnet0 inet from 172.16.3.0/24 to any -> (vtnet0) round-robin\n= vms\nr \n");

    List<Observation> o = driver.probe(host.target("h1"), List.of(jails, vms));

    assertThat(Resources.diff(jails, o.get(0))).isEmpty();
    assertThat(o.get(1).isPresent()).isFalse();
    host.assertAllAnswered();
  }

  @Test
  void apply_loadsTheAnchorWithTheRuleOnStdin() throws Exception {
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(NatDriver.SCRIPT, "vms"), ENABLED + "= vms\n")
        .expect(script(NatDriver.SCRIPT), ENABLED)
        .expect(List.of("pfctl", "-a", "converge/vms", "-f", "-"), "");
    Observation seen = driver.probe(host.target("h1"), List.of(vms)).get(0);
    assertThat(seen.isPresent()).isFalse();

    driver.apply(host.target("h1"), Resources.change(vms, seen));

    assertThat(new String(host.executed().get(2).stdin(), StandardCharsets.UTF_8))
        .isEqualTo("nat on vtnet0 inet from 10.1.0.0/24 to any -> (vtnet0)\n");
    host.assertAllAnswered();
  }

  @Test
  void aRuleForAnotherInterface_isAChange() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(NatDriver.SCRIPT, "vms"),
        ENABLED + "= vms\nr nat on em0 inet from 10.1.0.0/24 to any -> (em0) round-robin\n");

    Observation o = driver.probe(host.target("h1"), List.of(vms)).get(0);

    assertThat(Resources.change(vms, o).fields()).extracting(f -> f.field()).containsExactly("interface");
  }

  @Test
  void aLoadedRuleThatCannotTakeEffect_showsWhyInThePlan() throws Exception {
    ScriptedTransport host = new ScriptedTransport().expect(script(NatDriver.SCRIPT, "vms"),
        "info Status: Disabled for 0 days 00:00:00           Debug: Urgent\n"
            + "= vms\nr nat on vtnet0 inet from 10.1.0.0/24 to any -> (vtnet0) round-robin\n");

    Observation seen = driver.probe(host.target("h1"), List.of(vms)).get(0);

    assertThat(seen.actual().orElseThrow().string("source")).hasValueSatisfying(s -> assertThat(s)
        .startsWith("10.1.0.0/24 (not in effect: pf is not enabled (pfctl -s info: Status: Disabled"));
  }

  @Test
  void withoutTheNatAnchorInTheMainRuleset_applyFailsSayingWhatToDo_andLoadsNothing() {
    ScriptedTransport host = new ScriptedTransport().expect(script(NatDriver.SCRIPT),
        "info Status: Enabled for 0 days 00:00:12           Debug: Urgent\n"
            + "main nat on vtnet0 inet from 10.9.0.0/24 to any -> (vtnet0) round-robin\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(vms, Observation.absent(vms.id()))))
        .isInstanceOf(ActionException.class)
        .hasMessage("NAT of network `vms` on h1: the main pf ruleset has no `nat-anchor \"converge/*\"`; add it to"
            + " /etc/pf.conf and reload it with `pfctl -f /etc/pf.conf` (converge does not edit pf.conf)");
    host.assertAllAnswered();
  }

  @Test
  void withPfDisabled_applyNamesIt() {
    ScriptedTransport host = new ScriptedTransport().expect(script(NatDriver.SCRIPT),
        "info Status: Disabled for 0 days 00:00:00           Debug: Urgent\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(vms, Observation.absent(vms.id()))))
        .hasMessageStartingWith("NAT of network `vms` on h1: pf is not enabled (pfctl -s info: Status: Disabled");
  }

  @Test
  void withPfNotLoaded_applyNamesIt() {
    ScriptedTransport host = new ScriptedTransport().expect(script(NatDriver.SCRIPT),
        "down pfctl: /dev/pf: No such file or directory\n");

    assertThatThrownBy(() -> driver.apply(host.target("h1"), Resources.change(vms, Observation.absent(vms.id()))))
        .hasMessageStartingWith("NAT of network `vms` on h1: pf is not loaded (pfctl: pfctl: /dev/pf: No such file");
  }

  @Test
  void delete_flushesOnlyTheAnchorsNatRules() throws Exception {
    Resource gone = Resources.absent("nat", "vms");
    ScriptedTransport host = new ScriptedTransport()
        .expect(script(NatDriver.SCRIPT, "vms"),
            ENABLED + "= vms\nr nat on vtnet0 inet from 10.1.0.0/24 to any -> (vtnet0) round-robin\n")
        .expect(List.of("pfctl", "-a", "converge/vms", "-F", "nat"), 0, "", "nat cleared\n");
    Observation seen = driver.probe(host.target("h1"), List.of(gone)).get(0);

    driver.apply(host.target("h1"), Resources.change(gone, seen));

    host.assertAllAnswered();
  }

  @Test
  void valuesThatWouldBePfSyntax_areRefused() {
    Resource sneaky = Resources.present("nat", "vms", Map.of("source", "10.1.0.0/24",
        "interface", "vtnet0) pass all #"));

    assertThatThrownBy(() -> driver.apply(new ScriptedTransport().target("h1"), Resources.change(sneaky,
        Observation.absent(sneaky.id()))))
        .hasMessageStartingWith("NAT of network `vms` on h1: interface `vtnet0) pass all #` is not an interface"
            + " name");
    assertThatThrownBy(() -> driver.probe(new ScriptedTransport().target("h1"),
        List.of(Resources.absent("nat", "a/../b"))))
        .hasMessageStartingWith("NAT of network `a/../b` on h1: not a network name usable as a pf anchor");
  }
}

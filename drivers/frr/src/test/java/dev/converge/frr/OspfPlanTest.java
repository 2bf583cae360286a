package dev.converge.frr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.graph.DesiredGraph;
import dev.converge.plan.Plan;
import dev.converge.plan.PlanJson;
import dev.converge.plan.PlanText;
import dev.converge.plan.Planner;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What a plan shows of an OSPF router: field changes, and the line diff of the routing config, keys redacted. */
class OspfPlanTest {

  private static final ResourceId ID = ResourceId.of("ospf-router", "fx2", "ospf");
  private final OspfRouterDriver driver = new OspfRouterDriver();

  @Test
  void aChangedHelloShowsAsALineDiffOfTheFrrConfigWithTheKeyRedacted() throws Exception {
    Properties before = Routers.fx2();
    Properties after = withHello(before, "backbo-fx3", 2L);

    Plan plan = plan(after, Observation.present(ID, before));
    String text = PlanText.plain().render(plan);

    assertThat(text).contains("~ update ospf-router/fx2:ospf", "      rendered:",
        "- ip ospf hello-interval 1", "+ ip ospf hello-interval 2",
        "interface backbo-fx3");
    assertThat(text).doesNotContain("secret1");
    assertThat(PlanJson.tree(plan).toString()).contains("rendered_diff", "+ ip ospf hello-interval 2")
        .doesNotContain("secret1");
  }

  @Test
  void aNewRouterShowsItsWholeConfigWithMd5KeysAsSensitiveInTextAndJson() throws Exception {
    Plan plan = plan(Routers.fx2(), Observation.absent(ID));
    String text = PlanText.plain().render(plan);

    assertThat(text).contains("+ create ospf-router/fx2:ospf", "+router ospf", "+ ospf router-id 10.0.0.2",
        "+ ip ospf message-digest-key 1 md5 (sensitive)");
    assertThat(text).doesNotContain("secret1");
    assertThat(PlanJson.tree(plan).toString()).contains("md5 (sensitive)").doesNotContain("secret1");
  }

  @Test
  void aChangedKeyIsAFieldChangeButNeverShowsEitherKey() throws Exception {
    Properties rekeyed = withKey(Routers.fx2(), "backbo-fx1", "secret2");

    Plan plan = plan(rekeyed, Observation.present(ID, Routers.fx2()));
    String text = PlanText.plain().render(plan);

    assertThat(text).contains("~ update ospf-router/fx2:ospf", "interfaces:", "(sensitive)");
    assertThat(text).doesNotContain("secret1").doesNotContain("secret2");
    assertThat(PlanJson.tree(plan).toString()).doesNotContain("secret1").doesNotContain("secret2");
  }

  @Test
  void aJailsPrefixToRedistribute_showsAsTheRoutingConfigLinesThatAdvertiseIt() throws Exception {
    Properties before = Routers.fx2().with("redistribute", List.of());
    Properties after = Routers.fx2().with("redistribute", List.of("10.0.1.5/32"));

    String text = PlanText.plain().render(plan(after, Observation.present(ID, before)));

    assertThat(text).contains("~ update ospf-router/fx2:ospf", "redistribute:",
        "+ redistribute connected route-map converge-redistribute",
        "+ip prefix-list converge-redistribute seq 5 permit 10.0.1.5/32",
        "+route-map converge-redistribute permit 10", "+ match ip address prefix-list converge-redistribute");
  }

  @Test
  void aQuaggaRouterRendersAsOspfdConf() throws Exception {
    Properties quagga = Routers.fx2().with("daemon", "quagga");

    String text = PlanText.plain().render(plan(quagga, Observation.absent(ID)));

    assertThat(text).contains("+ no passive-interface backbo-fx1", "+ area 0.0.0.0 authentication",
        "+ ip ospf message-digest-key 1 md5 (sensitive)");
    assertThat(text).doesNotContain("secret1").doesNotContain("exit");
  }

  private Plan plan(Properties desired, Observation observed) throws Exception {
    Resource r = Resource.present(ID, desired, Location.unknown());
    DesiredGraph graph = DesiredGraph.builder().add(r).build();
    return Planner.plan(new Planner.Input("site", graph, List.of(), Map.of(), Map.of(ID, observed),
        kind -> Set.of(), kind -> false, resource -> Optional.of(driver), "digest", "lineage", 0, new byte[32],
        List.of()));
  }

  @SuppressWarnings("unchecked")
  private static Properties withInterfaceField(Properties p, String ifname, String field, Object value) {
    Map<String, Object> interfaces = new TreeMap<>((Map<String, Object>) p.get("interfaces").orElseThrow());
    Map<String, Object> fields = new TreeMap<>((Map<String, Object>) interfaces.get(ifname));
    fields.put(field, value);
    interfaces.put(ifname, fields);
    return p.with("interfaces", interfaces);
  }

  private static Properties withHello(Properties p, String ifname, long hello) {
    return withInterfaceField(p, ifname, "hello", hello);
  }

  private static Properties withKey(Properties p, String ifname, String key) {
    return withInterfaceField(p, ifname, "md5-key", new dev.converge.resource.Sensitive(key));
  }
}

package dev.converge.frr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.frr.OspfRouter.OspfInterface;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One host's OSPF as the probe script ({@link FrrPlatform#PROBE}) prints it: whether ospfd runs, its running config,
 * and where ospfd actually runs each interface ({@code show ip ospf interface json}).
 */
record OspfState(boolean running, FrrConfig config, Map<String, JsonNode> ospfInterfaces) {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String RUNNING = "@@ ospfd running";
  static final String STOPPED = "@@ ospfd stopped";
  static final String INTERFACES = "@@ ospf interfaces";

  /** FRR's {@code networkType} values in {@code show ip ospf interface json}, by the keyword that sets them. */
  private static final Map<String, String> NETWORK_TYPES = Map.of("BROADCAST", "broadcast", "NBMA", "non-broadcast",
      "POINTOMULTIPOINT", "point-to-multipoint", "POINTOPOINT", "point-to-point");

  static OspfState parse(String output) {
    String text = output.strip();
    if (text.startsWith(STOPPED)) {
      return new OspfState(false, FrrConfig.parse(""), Map.of());
    }
    int interfaces = text.indexOf(INTERFACES);
    if (!text.startsWith(RUNNING) || interfaces < 0) {
      throw new IllegalArgumentException("unexpected probe output (first line `" + text.lines().findFirst().orElse("")
          + "`)");
    }
    FrrConfig config = FrrConfig.parse(text.substring(RUNNING.length(), interfaces));
    String json = text.substring(interfaces + INTERFACES.length()).strip();
    Map<String, JsonNode> ifs = new TreeMap<>();
    if (json.startsWith("{")) {
      try {
        JSON.readTree(json).path("interfaces").properties().forEach(e -> ifs.put(e.getKey(), e.getValue()));
      } catch (IOException e) {
        throw new IllegalArgumentException("show ip ospf interface json did not print JSON: " + e.getMessage(), e);
      }
    }
    return new OspfState(true, config, ifs);
  }

  /**
   * The router converge would see for {@code desired}: absent when ospfd does not run or has no {@code router
   * ospf}; else the owned parts of the config for the interfaces {@code desired} names, each with the area ospfd runs
   * it in. A network type the config does not print (FRR omits an interface's default type) is read from ospfd when
   * {@code desired} names one. {@code neighbors} and {@code routes} are readiness inputs, not configuration: they are
   * echoed from {@code desired}.
   */
  Optional<OspfRouter> observed(OspfRouter desired) {
    if (!running || !config.hasRouterOspf()) {
      return Optional.empty();
    }
    OspfRouter configured = config.ospf(desired.interfaces().keySet());
    SortedMap<String, OspfInterface> interfaces = new TreeMap<>();
    configured.interfaces().forEach((name, i) -> {
      JsonNode live = ospfInterfaces.get(name);
      boolean enabled = live != null && live.path("ospfEnabled").asBoolean(false);
      Optional<String> area = enabled ? Optional.of(live.path("area").asText()) : Optional.empty();
      Optional<String> type = i.networkType();
      if (type.isEmpty() && enabled && desired.interfaces().get(name).networkType().isPresent()) {
        type = Optional.ofNullable(NETWORK_TYPES.get(live.path("networkType").asText()));
      }
      interfaces.put(name, new OspfInterface(area, type, i.hello(), i.dead(), i.md5Key(), i.passive()));
    });
    return Optional.of(new OspfRouter(configured.routerId(), interfaces, configured.networks(),
        configured.fastConvergence(), desired.neighbors(), desired.routes(), configured.redistribute()));
  }
}

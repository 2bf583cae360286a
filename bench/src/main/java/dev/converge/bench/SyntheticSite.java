package dev.converge.bench;

import dev.converge.memory.InMemoryDriver;
import dev.converge.resource.Properties;
import dev.converge.resource.ResourceId;
import dev.converge.spec.GenericResource;
import dev.converge.spec.Host;
import dev.converge.spec.Location;
import dev.converge.spec.Reference;
import dev.converge.spec.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A site of {@code n} resources spread over {@code n / 1000} hosts with realistic dependencies: each resource
 * requires up to two earlier resources on its host (fan-in; early ones gather many dependents, fan-out) and one in
 * twenty also a resource on another host. Seeded, so every run builds the same site.
 */
final class SyntheticSite {

  final Spec spec;
  final InMemoryDriver driver = new InMemoryDriver("mem");

  SyntheticSite(int n, double driftedFraction, Path root) {
    Random random = new Random(42);
    int hostCount = Math.max(1, n / 1000);
    Map<String, Host> hosts = new LinkedHashMap<>();
    for (int h = 0; h < hostCount; h++) {
      hosts.put("h" + h, Host.local("h" + h));
    }
    List<GenericResource> resources = new ArrayList<>(n);
    int perHost = n / hostCount;
    for (int i = 0; i < n; i++) {
      int h = i % hostCount;
      int index = i / hostCount;
      String host = "h" + h;
      String name = "r" + index;
      List<Reference> requires = new ArrayList<>();
      for (int k = 0; k < 2 && index > 0; k++) {
        int dep = random.nextInt(Math.min(index, 1 + index / 2));
        Reference ref = new Reference("mem", host + ":r" + dep, Location.unknown());
        if (!requires.contains(ref)) {
          requires.add(ref);
        }
      }
      if (hostCount > 1 && index > 0 && random.nextInt(20) == 0) {
        int other = (h + 1 + random.nextInt(hostCount - 1)) % hostCount;
        requires.add(new Reference("mem", "h" + other + ":r" + random.nextInt(Math.min(index, perHost)),
            Location.unknown()));
      }
      Map<String, Object> props = Map.of("content", "value-" + i, "mode", "0644", "size", (long) i);
      resources.add(new GenericResource("mem", host, name, Location.unknown(), props, false, requires));
      boolean drifted = random.nextDouble() < driftedFraction;
      driver.seed(ResourceId.of("mem", host, name),
          Properties.of(drifted ? Map.of("content", "old", "mode", "0644", "size", (long) i) : props));
    }
    this.spec = Spec.of("bench", hosts, List.of(), resources, root);
  }
}

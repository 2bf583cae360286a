package dev.converge.plan;

import dev.converge.resource.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Why a saved plan may no longer be applied: compares it with the plan made now from the current spec, state and
 * observations. Empty means the two are the same plan and applying is safe.
 */
public final class Staleness {

  private Staleness() {}

  public static List<String> reasons(PlanJson.Saved saved, Plan now) {
    List<String> reasons = new ArrayList<>();
    Fingerprint then = saved.fingerprint();
    Fingerprint fresh = now.fingerprint();
    if (!saved.site().equals(now.site())) {
      reasons.add("the plan is for site `" + saved.site() + "`, the spec is site `" + now.site() + "`");
    }
    if (!then.specDigest().equals(fresh.specDigest())) {
      reasons.add("the spec files changed since the plan was made");
    }
    if (!then.stateLineage().equals(fresh.stateLineage())) {
      reasons.add("the plan was made against another state (lineage " + then.stateLineage() + ", now "
          + fresh.stateLineage() + ")");
    } else if (then.stateSerial() != fresh.stateSerial()) {
      reasons.add("converge's state changed since the plan was made (serial " + then.stateSerial() + " → "
          + fresh.stateSerial() + "): another run applied changes");
    }
    Map<String, String> before = then.changeDigests();
    Map<String, String> after = fresh.changeDigests();
    Map<String, String> verbs = new java.util.HashMap<>();
    for (Change c : now.changes()) {
      verbs.put(c.id().toString(), c.type().verb());
    }
    for (String address : new TreeSet<>(union(before.keySet(), after.keySet()))) {
      String b = before.get(address);
      String a = after.get(address);
      if (a == null) {
        reasons.add(address + ": the plan would " + saved.actions().getOrDefault(address, "change")
            + " it, but it no longer needs that");
      } else if (b == null) {
        reasons.add(address + ": now needs " + verbs.get(address) + ", which the plan does not contain");
      } else if (!a.equals(b)) {
        reasons.add(address + ": its actual or desired state changed since the plan was made");
      }
    }
    return reasons;
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return u;
  }
}

package dev.converge.engine;

import dev.converge.resource.ResourceId;
import java.util.List;

/** A resource whose action succeeded but whose re-probe still differs, with the fields that do. */
public record NotConverging(ResourceId id, List<String> fields) {

  public NotConverging {
    fields = List.copyOf(fields);
  }

  /** {@code file/mgmt:/etc/motd does not converge: `mode` still differs after its action}. */
  public String message() {
    return id + " does not converge: " + (fields.isEmpty() ? "it still differs"
        : String.join(", ", fields.stream().map(f -> "`" + f + "`").toList())
            + (fields.size() == 1 ? " still differs" : " still differ"))
        + " after its action";
  }
}

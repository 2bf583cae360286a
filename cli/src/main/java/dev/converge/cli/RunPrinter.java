package dev.converge.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.engine.ActionResult;
import dev.converge.engine.EngineListener;
import dev.converge.engine.NotConverging;
import dev.converge.engine.RunReport;
import dev.converge.execute.Outcome;
import dev.converge.plan.Plan;
import dev.converge.plan.PlanJson;
import dev.converge.plan.PlanText;
import dev.converge.probe.Prober;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import java.util.Locale;
import java.util.Map;

/**
 * Shows a run as it happens (the plan, then one line per finished action) and sums it up at the end; or, with
 * --json, one JSON document at the end. Prints nothing at all on stdout when there was nothing to do, so cron
 * mails only on change.
 */
final class RunPrinter implements EngineListener {

  private final Console console;
  private final boolean json;
  private final PlanText text;
  private final Timings timings;

  RunPrinter(Console console, boolean json, Timings timings) {
    this.console = console;
    this.json = json;
    this.text = console.colour() ? PlanText.coloured() : PlanText.plain();
    this.timings = timings;
  }

  @Override
  public void probing(int resources) {
    timings.mark("first probe started (" + resources + " resources)");
  }

  @Override
  public void planned(int round, Plan plan) {
    timings.mark("round " + round + " planned");
    if (json || plan.isEmpty()) {
      return;
    }
    if (round > 1) {
      console.out().println("Round " + round + ": " + plan.changes().size() + " more to do");
    }
    for (Change c : plan.changes()) {
      console.out().print(text.change(c, plan.renderedDiff(c.id())));
    }
    console.out().println();
  }

  @Override
  public void actionDone(Change change, Outcome outcome) {
    if (json) {
      return;
    }
    synchronized (console) {
      String verb = switch (outcome.status()) {
        case SUCCEEDED -> console.paint(PlanText.colourCode(change.type()), past(change.type()));
        case FAILED -> console.paint("31", "failed");
        case SKIPPED -> console.paint("33", "skipped");
      };
      String line = verb + " " + PlanText.title(change) + (outcome.succeeded() ? " (" + outcome.duration().toMillis() + " ms)"
          : ": " + outcome.message());
      console.out().println(line);
    }
  }

  @Override
  public void probeFailed(Prober.Failure failure) {
    console.error("cannot probe " + failure.kind() + " on " + failure.target() + ": " + failure.message()
        + " (" + failure.resources().size() + " resources unknown)");
  }

  @Override
  public void notReady(Outcome outcome) {
    console.error(outcome.id() + " is not ready: " + outcome.message());
  }

  @Override
  public void notConverging(NotConverging resource) {
    console.error(resource.message());
  }

  /** The closing lines (text) or the whole JSON document. */
  void finish(RunReport report) {
    timings.mark("done");
    report.plan().notes().forEach(console::note);
    if (json) {
      console.out().print(PlanJson.write(json(report)));
      return;
    }
    if (report.actions().isEmpty() && report.converged()) {
      return;
    }
    Map<ChangeType, Long> done = new java.util.EnumMap<>(ChangeType.class);
    for (ChangeType t : ChangeType.values()) {
      done.put(t, 0L);
    }
    report.actions().stream().filter(a -> a.outcome().succeeded()).forEach(a -> done.merge(a.change().type(), 1L,
        Long::sum));
    String summary = "Apply: " + done.get(ChangeType.CREATE) + " created, " + done.get(ChangeType.UPDATE)
        + " updated, " + done.get(ChangeType.REPLACE) + " replaced, " + done.get(ChangeType.DELETE) + " deleted, "
        + done.get(ChangeType.MOVE) + " moved; " + report.count(Outcome.Status.FAILED) + " failed, "
        + report.count(Outcome.Status.SKIPPED) + " skipped.";
    String verdict = report.converged()
        ? "Converged in " + rounds(report.rounds()) + " (" + seconds(report) + ")."
        : "Not converged after " + rounds(report.rounds()) + " (" + seconds(report) + "): "
            + problems(report) + ".";
    console.out().println(summary);
    console.out().println(report.converged() ? verdict : console.paint("31", verdict));
  }

  static ObjectNode json(RunReport report) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("format_version", PlanJson.FORMAT_VERSION);
    root.put("run", report.runId());
    root.put("converged", report.converged());
    root.put("rounds", report.rounds());
    root.put("duration_ms", report.took().toMillis());
    root.set("plan", PlanJson.tree(report.plan()));
    ArrayNode actions = root.putArray("actions");
    for (ActionResult a : report.actions()) {
      ObjectNode n = actions.addObject();
      n.put("address", a.change().id().toString());
      n.put("action", a.change().type().verb());
      n.put("round", a.round());
      n.put("result", a.outcome().status().name().toLowerCase(Locale.ROOT));
      n.put("duration_ms", a.outcome().duration().toMillis());
      n.put("error", a.outcome().message().isEmpty() ? null : a.outcome().message());
    }
    ArrayNode failures = root.putArray("probe_failures");
    for (Prober.Failure f : report.probeFailures()) {
      ObjectNode n = failures.addObject();
      n.put("target", f.target());
      n.put("kind", f.kind());
      n.put("error", f.message());
      n.put("resources", f.resources().size());
    }
    ArrayNode waiting = root.putArray("not_ready");
    for (Outcome o : report.notReady()) {
      ObjectNode n = waiting.addObject();
      n.put("address", o.id().toString());
      n.put("error", o.message());
    }
    ArrayNode stuck = root.putArray("not_converging");
    for (NotConverging nc : report.notConverging()) {
      ObjectNode n = stuck.addObject();
      n.put("address", nc.id().toString());
      ArrayNode fields = n.putArray("fields");
      nc.fields().forEach(fields::add);
    }
    return root;
  }

  private static String problems(RunReport r) {
    StringBuilder sb = new StringBuilder();
    long failed = r.count(Outcome.Status.FAILED);
    if (failed > 0) {
      sb.append(failed).append(failed == 1 ? " action failed" : " actions failed");
    }
    if (!r.probeFailures().isEmpty()) {
      sb.append(sb.length() > 0 ? ", " : "").append(r.probeFailures().size())
          .append(r.probeFailures().size() == 1 ? " probe failed" : " probes failed");
    }
    if (!r.notReady().isEmpty()) {
      sb.append(sb.length() > 0 ? ", " : "").append(r.notReady().size()).append(" not ready");
    }
    if (!r.notConverging().isEmpty()) {
      sb.append(sb.length() > 0 ? ", " : "").append(r.notConverging().size()).append(" not converging");
    }
    return sb.length() == 0 ? "skipped actions" : sb.toString();
  }

  private static String rounds(int n) {
    return n + (n == 1 ? " round" : " rounds");
  }

  private static String seconds(RunReport r) {
    return String.format(Locale.ROOT, "%.1f s", r.took().toMillis() / 1000.0);
  }

  private static String past(ChangeType t) {
    return switch (t) {
      case CREATE -> "created";
      case UPDATE -> "updated";
      case REPLACE -> "replaced";
      case DELETE -> "deleted";
      case MOVE -> "moved";
    };
  }
}

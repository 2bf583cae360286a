package dev.converge.cli;

import dev.converge.compile.Compilation;
import dev.converge.compile.CompileException;
import dev.converge.compile.Compiler;
import dev.converge.graph.CycleException;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Secrets;
import dev.converge.spec.Spec;
import dev.converge.state.FileStateStore;
import dev.converge.state.State;
import dev.converge.state.StateException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code converge graph SPEC}: the desired graph in Graphviz DOT, one cluster per host. */
@Command(name = "graph", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prints the resources the spec compiles to and their dependencies, as Graphviz DOT.",
        "Render with: converge graph SPEC | dot -Tsvg > graph.svg"})
final class GraphCommand implements Callable<Integer> {

  @Mixin CommonOptions options;

  @Parameters(index = "0", paramLabel = "SPEC", description = "The spec.")
  Path specFile;

  @Override
  public Integer call() {
    Session session = new Session(options);
    try {
      Spec spec = session.load(specFile);
      Map<String, ? extends Map<String, String>> allocations =
          FileStateStore.peek(options.stateDirectory(spec.root())).map(State::allocations).orElse(new TreeMap<>());
      Compilation c = Compiler.compile(spec, allocations, Secrets.unread(spec));
      session.console.out().print(dot(spec.site(), c));
      return ExitCode.OK;
    } catch (Session.Exit e) {
      return e.exitCode;
    } catch (CycleException e) {
      session.console.error(e.getMessage());
      return ExitCode.INVALID_SPEC;
    } catch (CompileException | StateException e) {
      session.console.error(e.getMessage());
      return ExitCode.FAILED;
    }
  }

  static String dot(String site, Compilation c) {
    StringBuilder sb = new StringBuilder();
    sb.append("digraph \"").append(escape(site)).append("\" {\n");
    sb.append("  rankdir=LR;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
    Map<String, java.util.List<ResourceId>> byTarget = new TreeMap<>();
    c.graph().resources().keySet().forEach(id -> byTarget.computeIfAbsent(id.target(), t -> new java.util.ArrayList<>())
        .add(id));
    int cluster = 0;
    for (var e : byTarget.entrySet()) {
      sb.append("  subgraph cluster_").append(cluster++).append(" {\n");
      sb.append("    label=\"").append(escape(e.getKey())).append("\";\n");
      for (ResourceId id : e.getValue()) {
        sb.append("    \"").append(escape(id.toString())).append("\" [label=\"").append(escape(id.kind()))
            .append("\\n").append(escape(id.name())).append("\"];\n");
      }
      sb.append("  }\n");
    }
    c.graph().topologicalOrder().forEach(from -> c.graph().dependentsOf(from).stream().sorted().forEach(to ->
        sb.append("  \"").append(escape(from.toString())).append("\" -> \"").append(escape(to.toString()))
            .append("\";\n")));
    sb.append("}\n");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}

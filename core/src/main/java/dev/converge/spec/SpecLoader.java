package dev.converge.spec;

import dev.converge.spec.Sections.Kind;
import dev.converge.spec.SpecFiles.SourceFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a spec: reads the root file and its includes, applies {@code defaults} and {@code profiles}, binds
 * everything to the {@link Spec} records and checks every rule of the format (docs/spec.md). Every problem is
 * collected in one pass; if any is an error, nothing is returned and {@link SpecException} lists them all, sorted
 * by location. Loading never connects anywhere, never resolves names and never reads a secret's value.
 *
 * <p>A loader is immutable and thread-safe; each {@link #load} call is independent.
 */
public final class SpecLoader {

  private static final long DEFAULT_MAX_FILE_BYTES = 4L << 20;
  private static final int DEFAULT_MAX_DEPTH = 64;
  /** Jackson's own nesting limit; ours has to stay below it to be the one that reports. */
  private static final int MAX_MAX_DEPTH = 1000;

  private final Set<String> knownKinds;
  private final long maxFileBytes;
  private final int maxDepth;
  private final Map<String, String> environment;
  private final boolean lab;
  private final YamlReader yaml;

  private SpecLoader(Builder b) {
    this.knownKinds = Set.copyOf(b.knownKinds);
    this.maxFileBytes = b.maxFileBytes;
    this.maxDepth = b.maxDepth;
    this.environment = b.environment;
    this.lab = b.lab;
    this.yaml = new YamlReader(maxFileBytes, maxDepth);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A loaded, valid spec and the warnings found while loading it.
   *
   * @param warnings problems of {@link Problem.Severity#WARNING} severity, sorted by location
   * @param secrets the spec's secrets, looked up in the loader's environment when used
   */
  public record Result(Spec spec, List<Problem> warnings, Secrets secrets) {
    public Result {
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Loads the spec whose root file is {@code root}.
   *
   * @throws SpecException with every problem found (errors, and warnings too), if any is an error
   * @throws IOException only if the root file itself cannot be read (missing, unreadable)
   */
  public Result load(Path root) throws IOException, SpecException {
    Problems problems = new Problems();
    List<SourceFile> files = new SpecFiles(yaml, maxFileBytes, problems).read(root);
    Sections sections = Sections.collect(files, problems);
    Optional<Sections> inLab = sections.inLab();
    Spec spec = bind(lab ? inLab.orElse(sections) : sections, files, problems);
    // the other view is checked too: a spec is valid in the lab and outside it, or not at all
    inLab.ifPresent(labView -> bind(lab ? sections : labView, files, problems));
    if (problems.hasErrors()) {
      throw new SpecException(problems.all());
    }
    return new Result(spec, problems.warnings(), Secrets.of(spec, environment));
  }

  private Spec bind(Sections sections, List<SourceFile> files, Problems problems) {
    Optional<String> site = sections.root().flatMap(r -> r.require("site", Conversion.identifier()));
    Inheritance inheritance = Inheritance.of(sections.root(), sections.named(Kind.PROFILE), problems);
    List<Path> sources = files.stream().map(SourceFile::path).toList();
    Binding b = new Binding(problems, sections, knownKinds, inheritance, sources);
    new SecretBinder(b).bind();
    new ImageBinder(b).bind();
    new HostBinder(b).bind();
    new NetworkBinder(b).bind();
    new JailBinder(b).bind();
    new ZoneBinder(b).bind();
    new OspfBinder(b).bind();
    new ResourceBinder(b).bind();
    new FileBinder(b).bind();
    NetworkChecks.check(b);
    b.requirements.check(b);
    b.addresses.report(problems);
    Spec spec = new Spec(site.orElse(""), b.secrets, b.images, b.hosts, b.networks, new Ospf(b.areas), b.zones,
        b.jails, b.files, b.resources, sources);
    checkTemplates(spec, problems);
    return spec;
  }

  private static void checkTemplates(Spec spec, Problems problems) {
    TemplateVariables variables = TemplateVariables.of(spec);
    for (FileSpec file : spec.files()) {
      file.template().ifPresent(t -> variables.check(t, file.host())
          .forEach(p -> problems.error(p.location(), p.message())));
    }
  }

  /** Settings of a {@link SpecLoader}; every one has a default. */
  public static final class Builder {
    private Set<String> knownKinds = Set.of();
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private Map<String, String> environment = System.getenv();
    private boolean lab;

    private Builder() {}

    /**
     * Whether the spec is loaded for the lab: its {@code lab} section then merges over the rest (docs/spec.md,
     * "The lab"). Either way, both views must be valid.
     */
    public Builder lab(boolean lab) {
      this.lab = lab;
      return this;
    }

    /**
     * The resource kinds drivers provide, for {@code resources:} entries; empty (the default) accepts any
     * well-formed kind.
     */
    public Builder knownKinds(Set<String> kinds) {
      this.knownKinds = Set.copyOf(kinds);
      return this;
    }

    /** The largest spec file accepted, in bytes; default 4 MiB. */
    public Builder maxFileBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxFileBytes must be positive, was " + bytes);
      }
      this.maxFileBytes = bytes;
      return this;
    }

    /** The deepest nesting of YAML maps and lists accepted; default 64, at most 1000. */
    public Builder maxDepth(int depth) {
      if (depth < 1 || depth > MAX_MAX_DEPTH) {
        throw new IllegalArgumentException("maxDepth must be 1-" + MAX_MAX_DEPTH + ", was " + depth);
      }
      this.maxDepth = depth;
      return this;
    }

    /**
     * Where {@code env:} secrets are looked up ({@link Result#secrets()}); default the process environment.
     * {@code ~} in paths is always the {@code user.home} system property.
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    public SpecLoader build() {
      return new SpecLoader(this);
    }
  }
}

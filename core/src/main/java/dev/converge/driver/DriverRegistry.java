package dev.converge.driver;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The drivers and transport providers of one run, found with {@link ServiceLoader} on the class path and in the
 * jars of an optional drivers directory ({@code --drivers DIR} or {@code CONVERGE_DRIVERS}).
 */
public final class DriverRegistry {

  private final Map<String, Map<String, Driver>> byKindAndPlatform;
  private final Map<String, TransportProvider> transports;

  private DriverRegistry(Map<String, Map<String, Driver>> drivers, Map<String, TransportProvider> transports) {
    this.byKindAndPlatform = drivers;
    this.transports = transports;
  }

  /** Drivers and transports on the class path only. */
  public static DriverRegistry load() {
    return load(DriverRegistry.class.getClassLoader());
  }

  /** Drivers and transports on the class path plus every {@code *.jar} in {@code directory}. */
  public static DriverRegistry load(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IOException("drivers directory " + directory + " does not exist");
    }
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
        jars.add(toUrl(p));
      }
    }
    return load(new URLClassLoader(jars.toArray(URL[]::new), DriverRegistry.class.getClassLoader()));
  }

  /** Builds a registry from explicit instances (tests, benchmarks, embedding). */
  public static DriverRegistry of(List<? extends Driver> drivers, List<? extends TransportProvider> transports) {
    Map<String, Map<String, Driver>> byKind = new TreeMap<>();
    for (Driver d : drivers) {
      for (String platform : d.platforms()) {
        Driver previous = byKind.computeIfAbsent(d.kind(), k -> new TreeMap<>()).putIfAbsent(platform, d);
        if (previous != null && previous.getClass() != d.getClass()) {
          throw new IllegalStateException("two drivers for kind `" + d.kind() + "` on " + platform + ": "
              + previous.getClass().getName() + " and " + d.getClass().getName());
        }
      }
    }
    Map<String, TransportProvider> byScheme = new TreeMap<>();
    for (TransportProvider t : transports) {
      byScheme.putIfAbsent(t.scheme(), t);
    }
    return new DriverRegistry(byKind, byScheme);
  }

  private static DriverRegistry load(ClassLoader loader) {
    List<Driver> drivers = ServiceLoader.load(Driver.class, loader).stream().map(ServiceLoader.Provider::get).toList();
    List<TransportProvider> transports =
        ServiceLoader.load(TransportProvider.class, loader).stream().map(ServiceLoader.Provider::get).toList();
    return of(drivers, transports);
  }

  private static URL toUrl(Path p) {
    try {
      return p.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The driver for {@code kind} on {@code platform}, preferring one written for that platform. */
  public Optional<Driver> driverFor(String kind, String platform) {
    Map<String, Driver> byPlatform = byKindAndPlatform.get(kind);
    if (byPlatform == null) {
      return Optional.empty();
    }
    Driver exact = byPlatform.get(platform);
    return Optional.ofNullable(exact != null ? exact : byPlatform.get(Driver.ANY_PLATFORM));
  }

  /** Every driver of {@code kind}, whatever its platforms. */
  public List<Driver> driversOf(String kind) {
    return byKindAndPlatform.getOrDefault(kind, Map.of()).values().stream().distinct().toList();
  }

  public SortedSet<String> kinds() {
    return new TreeSet<>(byKindAndPlatform.keySet());
  }

  public Optional<TransportProvider> transport(String scheme) {
    return Optional.ofNullable(transports.get(scheme));
  }

  public SortedSet<String> schemes() {
    return new TreeSet<>(transports.keySet());
  }
}

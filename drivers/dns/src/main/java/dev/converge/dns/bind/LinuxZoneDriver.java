package dev.converge.dns.bind;

import dev.converge.driver.ActionException;
import dev.converge.driver.ProbeException;
import dev.converge.driver.Target;
import dev.converge.linux.PackageDriver;
import dev.converge.linux.ServiceDriver;
import dev.converge.resource.Change;
import dev.converge.resource.ChangeType;
import dev.converge.resource.Observation;
import dev.converge.resource.Properties;
import dev.converge.resource.Resource;
import dev.converge.resource.ResourceId;
import dev.converge.spec.Location;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dns-zone} on Debian's bind9 (installed by the {@code package} driver when missing): files under /etc/bind/converge and /var/lib/bind/converge, named started as
 * the {@code service} driver starts a service (systemd where it is init, else /etc/init.d/named), so that the one
 * place knowing how a Debian host runs services decides.
 */
public final class LinuxZoneDriver extends ZoneDriver {

  private static final String SERVICE = "named";

  private static final String PACKAGE = "bind9";

  private final ServiceDriver services = new ServiceDriver();
  private final PackageDriver packages = new PackageDriver();

  public LinuxZoneDriver() {
    super(BindPlatform.LINUX);
  }

  @Override
  public Set<String> platforms() {
    return Set.of("linux");
  }

  @Override
  void ensureInstalled(Target target) throws ActionException {
    ResourceId id = ResourceId.of(PackageDriver.KIND, target.name(), PACKAGE);
    Resource bind = Resource.present(id, Properties.builder().put(PackageDriver.INSTALLED, true).build(),
        Location.unknown());
    Observation seen;
    try {
      seen = packages.probe(target, List.of(bind)).get(0);
    } catch (ProbeException e) {
      throw new ActionException("cannot tell whether " + PACKAGE + " is installed on " + target.name() + ": "
          + e.getMessage(), e);
    }
    if (!seen.isPresent()) {
      packages.apply(target, new Change(ChangeType.CREATE, bind, seen, List.of(), Optional.empty(),
          Optional.empty()));
    }
  }

  @Override
  void startNamed(Target target) throws ActionException {
    ResourceId id = ResourceId.of(ServiceDriver.KIND, target.name(), SERVICE);
    Resource running = Resource.present(id, Properties.builder()
        .put(ServiceDriver.ENABLED, true).put(ServiceDriver.RUNNING, true).build(), Location.unknown());
    services.apply(target, new Change(ChangeType.CREATE, running, Observation.absent(id), List.of(),
        Optional.empty(), Optional.empty()));
  }
}

package dev.converge.spec;

import java.util.List;
import java.util.Optional;

/**
 * A DNS zone converge keeps records in.
 *
 * @param server a host or jail of the spec ({@code serverName}) or an address with optional port
 * @param key the secret holding a tsig-keygen key file
 * @param ttl the zone's default TTL for records converge writes
 * @param register networks whose hosts and jails get A records automatically
 * @param reverse also maintain PTRs for registered addresses
 */
public record Zone(
    String name,
    Location location,
    Optional<String> serverName,
    Optional<String> serverAddress,
    int serverPort,
    String key,
    long ttl,
    List<DnsRecord> records,
    List<String> register,
    boolean reverse) {

  public Zone {
    records = List.copyOf(records);
    register = List.copyOf(register);
  }

  /** A record set entry: {@code name} relative to the zone ({@code @} for the apex), one or more values. */
  public record DnsRecord(String name, String type, List<String> values, Optional<Long> ttl, Location location) {
    public DnsRecord {
      values = List.copyOf(values);
    }
  }
}

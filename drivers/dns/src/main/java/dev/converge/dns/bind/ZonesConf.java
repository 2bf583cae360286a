package dev.converge.dns.bind;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * converge's named.conf fragment: which zones it serves and the TSIG key each one's {@code update-policy} grants.
 * The key files are included once each (BIND refuses a key defined twice, and zones may share a key); every zone is
 * a primary whose names the key may update and whose contents only the key may transfer (the dns-record probe reads
 * the zone by AXFR).
 *
 * @param keyOfZone zone name (no final dot) to key name, sorted so the file renders the same every time
 */
record ZonesConf(SortedMap<String, String> keyOfZone) {

  static final ZonesConf EMPTY = new ZonesConf(new TreeMap<>());

  private static final String HEADER = "// Managed by converge (dns-zone resources); edits are overwritten.\n";
  private static final Pattern ZONE = Pattern.compile("(?s)zone\\s+\"([^\"]+)\"\\s*\\{(.*?)\\n};");
  private static final Pattern GRANT = Pattern.compile("grant\\s+\"?([A-Za-z0-9_.-]+)\"?\\s+zonesub");

  ZonesConf {
    keyOfZone = Collections.unmodifiableSortedMap(new TreeMap<>(keyOfZone));
  }

  /** Reads a fragment this class rendered; a zone stanza it cannot read (edited by hand) is left out. */
  static ZonesConf parse(String text) {
    SortedMap<String, String> zones = new TreeMap<>();
    Matcher zone = ZONE.matcher(text);
    while (zone.find()) {
      Matcher grant = GRANT.matcher(zone.group(2));
      if (grant.find()) {
        zones.put(zone.group(1), grant.group(1));
      }
    }
    return new ZonesConf(zones);
  }

  ZonesConf with(String zone, String keyName) {
    SortedMap<String, String> zones = new TreeMap<>(keyOfZone);
    zones.put(zone, keyName);
    return new ZonesConf(zones);
  }

  ZonesConf without(String zone) {
    SortedMap<String, String> zones = new TreeMap<>(keyOfZone);
    zones.remove(zone);
    return new ZonesConf(zones);
  }

  boolean usesKey(String keyName) {
    return keyOfZone.containsValue(keyName);
  }

  /** The fragment as named reads it from {@code platform}'s directories. */
  String render(BindPlatform platform) {
    return render(platform, platform::keyFile);
  }

  /**
   * The fragment with each key included from {@code keyFile.apply(name)}: staged key files are checked from where
   * they wait, before they replace the live ones.
   */
  String render(BindPlatform platform, UnaryOperator<String> keyFile) {
    StringBuilder sb = new StringBuilder(HEADER);
    for (String key : new TreeSet<>(keyOfZone.values())) {
      sb.append("include \"").append(keyFile.apply(key)).append("\";\n");
    }
    keyOfZone.forEach((zone, key) -> sb.append('\n')
        .append("zone \"").append(zone).append("\" {\n")
        .append("\ttype primary;\n")
        .append("\tfile \"").append(platform.zoneFile(zone)).append("\";\n")
        .append("\tupdate-policy { grant \"").append(key).append("\" zonesub ANY; };\n")
        .append("\tallow-transfer { key \"").append(key).append("\"; };\n")
        .append("};\n"));
    return sb.toString();
  }
}

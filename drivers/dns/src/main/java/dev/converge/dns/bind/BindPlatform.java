package dev.converge.dns.bind;

import java.util.List;

/**
 * Where a platform's BIND package keeps its configuration, zones and pid file, and how it reloads. converge's own
 * files live in a directory of their own ({@link #confDir}), included once from {@link #includedFrom}; the zone files
 * in a directory named writes into ({@link #zoneDir}), since dynamic updates journal and rewrite them there.
 */
enum BindPlatform {

  /** Debian's bind9 (9.18): named runs as bind, reads /etc/bind/named.conf, keeps dynamic zones in /var/lib/bind. */
  LINUX("/etc/bind/named.conf", "/etc/bind/named.conf.local", "/etc/bind/converge", "/var/lib/bind/converge",
      "/run/named/named.pid", List.of("rndc", "reconfig")),

  /** FreeBSD's dns/bind918 package: everything under /usr/local/etc/namedb, dynamic zones in its dynamic/. */
  FREEBSD("/usr/local/etc/namedb/named.conf", "/usr/local/etc/namedb/named.conf",
      "/usr/local/etc/namedb/converge", "/usr/local/etc/namedb/dynamic/converge", "/var/run/named/pid",
      List.of("service", "named", "reload"));

  /** The group named runs as: it must read the key files and write the zone directory. */
  static final String GROUP = "bind";

  private final String mainConfig;
  private final String includedFrom;
  private final String confDir;
  private final String zoneDir;
  private final String pidFile;
  private final List<String> reload;

  BindPlatform(String mainConfig, String includedFrom, String confDir, String zoneDir, String pidFile,
      List<String> reload) {
    this.mainConfig = mainConfig;
    this.includedFrom = includedFrom;
    this.confDir = confDir;
    this.zoneDir = zoneDir;
    this.pidFile = pidFile;
    this.reload = reload;
  }

  /** The file named-checkconf checks: named's whole configuration. */
  String mainConfig() {
    return mainConfig;
  }

  /** The file that gets the one line including {@link #zonesConf()}. */
  String includedFrom() {
    return includedFrom;
  }

  String confDir() {
    return confDir;
  }

  String zoneDir() {
    return zoneDir;
  }

  String pidFile() {
    return pidFile;
  }

  /** Makes a running named read its configuration again (new zones, removed zones, changed keys). */
  List<String> reload() {
    return reload;
  }

  /** converge's zone stanzas and key includes. */
  String zonesConf() {
    return confDir + "/zones.conf";
  }

  /** The line {@link #includedFrom()} needs. */
  String includeLine() {
    return "include \"" + zonesConf() + "\";";
  }

  String keyFile(String keyName) {
    return confDir + "/" + keyName + ".key";
  }

  String zoneFile(String zone) {
    return zoneDir + "/db." + zone;
  }
}

package dev.converge.spec;

import dev.converge.spec.Node.Entry;
import dev.converge.spec.Node.MapNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code users:} the same way for hosts and jails. */
final class Users {

  static final List<String> KEYS = List.of("ssh-key", "sudo", "uid", "gid", "groups", "shell");

  private Users() {}

  /** The users under {@code users} of {@code r}; {@code name: ~} or {@code name: {}} is a user that only exists. */
  static Map<String, User> read(MapReader r) {
    Optional<MapNode> map = r.mapNode("users", "a map of user names to users");
    Map<String, User> users = new LinkedHashMap<>();
    for (Entry e : map.map(MapNode::all).orElse(List.of())) {
      try {
        Conversion.userName().convert(e.key());
      } catch (Conversion.Invalid invalid) {
        r.error("users", "." + e.key(), e.keyLocation(), "user name: " + invalid.detail());
        continue;
      }
      if (e.value() instanceof Node.ScalarNode s && s.isNull()) {
        users.put(e.key(), User.named(e.key()));
        continue;
      }
      r.child("users", e, KEYS).ifPresent(u -> {
        Optional<Path> sshKey = u.path("ssh-key");
        boolean sudo = u.get("sudo", Conversion.bool(), false);
        Optional<Integer> uid = u.get("uid", Conversion.integer(0, Integer.MAX_VALUE));
        Optional<Integer> gid = u.get("gid", Conversion.integer(0, Integer.MAX_VALUE));
        List<String> groups = u.list("groups", Conversion.userName()).orElse(List.of());
        Optional<String> shell = u.get("shell", Conversion.absolutePath());
        users.put(e.key(), new User(e.key(), sshKey, sudo, uid, gid, groups, shell));
      });
    }
    return users;
  }
}

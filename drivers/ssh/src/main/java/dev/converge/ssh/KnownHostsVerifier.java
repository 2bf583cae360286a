package dev.converge.ssh;

import dev.converge.driver.HostKeyPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a server's host key against an OpenSSH known_hosts file (plain and hashed {@code |1|} entries,
 * {@code [host]:port} for ports other than 22, {@code @revoked}) with converge's policy:
 *
 * <ul>
 *   <li>a matching key passes;
 *   <li>a different key for a known host is refused whatever the policy (changed, revoked, or of a type that
 *       known_hosts does not have for this host: a man in the middle would offer exactly that);
 *   <li>an unknown host is refused under {@link HostKeyPolicy#STRICT} and recorded, then accepted, under
 *       {@link HostKeyPolicy#ACCEPT_NEW}.
 * </ul>
 *
 * <p>sshj only reports "could not verify", so the reason for a refusal is kept here for the user: {@link
 * #refusal()}. One instance serves one connection attempt.
 */
final class KnownHostsVerifier extends OpenSSHKnownHosts {

  private static final Logger LOG = LoggerFactory.getLogger(KnownHostsVerifier.class);
  /** Appends from parallel connections to new hosts must not interleave. */
  private static final Object APPEND_LOCK = new Object();

  private final Path file;
  private final HostKeyPolicy policy;
  private volatile String refusal;

  KnownHostsVerifier(Path file, HostKeyPolicy policy) throws IOException {
    super(file.toFile());
    this.file = file;
    this.policy = policy;
  }

  /** Why the last host key was refused, when it was. */
  Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** OpenSSH's fingerprint of {@code key}: {@code SHA256:} and unpadded base64 of the key blob's digest. */
  static String fingerprint(PublicKey key) {
    return fingerprint(blob(key));
  }

  static String fingerprint(byte[] blob) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  @Override
  protected boolean hostKeyUnverifiableAction(String host, PublicKey key) {
    String presented = describe(key);
    List<String> otherTypes = new ArrayList<>();
    for (KnownHostEntry e : entries()) {
      if (appliesTo(e, host)) {
        otherTypes.add(e.getType().toString());
      }
    }
    if (!otherTypes.isEmpty()) {
      refusal = "host key of " + host + " is " + presented + ", but " + file + " knows only "
          + String.join(", ", otherTypes) + " keys for it; refusing, since an impostor would present exactly such "
          + "a key. If the host really changed its keys, remove the old entries (ssh-keygen -R '" + host + "' -f "
          + file + ") and connect again";
      return false;
    }
    if (policy == HostKeyPolicy.ACCEPT_NEW) {
      return append(host, key);
    }
    refusal = "host key of " + host + " is not in " + file + " (" + presented + "); to trust it: check the "
        + "fingerprint out of band, then add it (ssh-keyscan " + keyscanArguments(host) + " >> " + file
        + ") or set `host-key-policy: accept-new`";
    return false;
  }

  @Override
  protected boolean hostKeyChangedAction(String host, PublicKey key) {
    byte[] presentedBlob = blob(key);
    List<String> known = new ArrayList<>();
    for (KnownHostEntry e : entries()) {
      if (!appliesTo(e, host) || !e.getType().equals(KeyType.fromKey(key))) {
        continue;
      }
      Optional<byte[]> entryBlob = blobOf(e);
      if (e.getLine().startsWith("@revoked") && entryBlob.map(b -> MessageDigest.isEqual(b, presentedBlob))
          .orElse(false)) {
        refusal = "host key of " + host + " (" + describe(key) + ") is marked @revoked in " + file;
        return false;
      }
      entryBlob.ifPresent(b -> known.add(e.getType() + " " + fingerprint(b)));
    }
    refusal = "REMOTE HOST IDENTIFICATION HAS CHANGED for " + host + ": " + file + " has "
        + (known.isEmpty() ? "another key" : String.join(", ", known)) + ", the host presented " + describe(key)
        + ". Someone could be eavesdropping (man in the middle), or the host was reinstalled; if you are sure it "
        + "was, remove the old key (ssh-keygen -R '" + host + "' -f " + file + ") and connect again";
    return false;
  }

  private static boolean appliesTo(KnownHostEntry entry, String host) {
    try {
      return entry.appliesTo(host);
    } catch (IOException e) {
      return false;
    }
  }

  /** The key blob of a {@code [marker] hosts type base64 [comment]} line, if it has that shape. */
  private static Optional<byte[]> blobOf(KnownHostEntry entry) {
    String[] fields = entry.getLine().trim().split("\\s+");
    int keyField = fields[0].startsWith("@") ? 3 : 2;
    if (fields.length <= keyField) {
      return Optional.empty();
    }
    try {
      return Optional.of(Base64.getDecoder().decode(fields[keyField]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private boolean append(String host, PublicKey key) {
    String line = host + " " + KeyType.fromKey(key) + " " + Base64.getEncoder().encodeToString(blob(key)) + "\n";
    synchronized (APPEND_LOCK) {
      try {
        if (Files.notExists(file)) {
          Path dir = file.toAbsolutePath().getParent();
          if (Files.notExists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwx------")));
          }
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        String text = endsWithNewline(file) ? line : "\n" + line;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
          out.force(true);
        }
      } catch (IOException e) {
        refusal = "cannot record the new host key of " + host + " (" + describe(key) + ") in " + file + ": " + e;
        return false;
      }
    }
    LOG.info("recorded the new host key of {} ({}) in {}", host, describe(key), file);
    return true;
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.read(last, size - 1);
      return last.get(0) == '\n';
    }
  }

  private static String describe(PublicKey key) {
    return KeyType.fromKey(key) + " " + fingerprint(key);
  }

  private static byte[] blob(PublicKey key) {
    return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
  }

  /** {@code -p 2222 127.0.0.1} for {@code [127.0.0.1]:2222}, {@code host} for {@code host}. */
  private static String keyscanArguments(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf("]:");
      return "-p " + host.substring(close + 2) + " " + host.substring(1, close);
    }
    return host;
  }
}

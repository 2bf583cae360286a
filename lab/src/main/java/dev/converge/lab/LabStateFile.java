package dev.converge.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lab.json}: read, and replaced atomically (temporary file, fsync, rename), so a crash leaves the old or the
 * new record, never a torn one.
 */
final class LabStateFile {

  private static final Logger LOG = LoggerFactory.getLogger(LabStateFile.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path file;

  LabStateFile(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  /** The recorded state; empty if there is none, or if it cannot be read (then the lab is found by its names). */
  Optional<LabState> read() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), LabState.class));
    } catch (IOException e) {
      LOG.warn("ignoring {}, which cannot be read ({}): the lab is found by its names", file, e.getMessage());
      return Optional.empty();
    }
  }

  void write(LabState state) {
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      byte[] bytes = JSON.writeValueAsBytes(state);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}

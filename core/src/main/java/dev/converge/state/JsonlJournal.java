package dev.converge.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Journal} on {@code journal.jsonl}: each event is encoded whole, then written with one append, so lines
 * from concurrent threads never interleave. Lines are not fsynced one by one (a run of 100k actions would spend
 * minutes in fsync); they reach the operating system at once, which is what survives a crash of this process.
 */
final class JsonlJournal implements Journal, AutoCloseable {

  static final String FILE = "journal.jsonl";
  static final long MAX_BYTES = 10L << 20;
  static final int KEPT_ROTATIONS = 3;

  private static final Logger LOG = LoggerFactory.getLogger(JsonlJournal.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper LINES =
      new ObjectMapper(JSON).enable(DeserializationFeature.USE_LONG_FOR_INTS);

  private final Path directory;
  private final Path file;
  private final long maxBytes;
  private FileChannel channel;
  private long size;
  private boolean closed;

  private JsonlJournal(Path directory, long maxBytes) {
    this.directory = directory;
    this.file = directory.resolve(FILE);
    this.maxBytes = maxBytes;
  }

  /** Opens (creating 0600 if needed) the journal in {@code directory}, rotating past {@code maxBytes}. */
  static JsonlJournal open(Path directory, long maxBytes) throws StateException {
    JsonlJournal journal = new JsonlJournal(directory, maxBytes);
    try {
      journal.openChannel();
      journal.terminateTornLine();
    } catch (IOException e) {
      journal.close();
      throw new StateException("cannot open journal " + journal.file + ": " + e.getMessage(), e);
    }
    return journal;
  }

  @Override
  public void append(JournalEvent event) {
    byte[] line = encode(event);
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("journal " + file + " is closed");
      }
      try {
        if (size > 0 && size + line.length > maxBytes) {
          rotate();
        }
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        size += line.length;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to journal " + file + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public synchronized List<JournalEvent> read() throws StateException {
    return readFile(file);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (channel != null) {
      try {
        channel.force(false);
        channel.close();
      } catch (IOException e) {
        LOG.warn("cannot close journal {}: {}", file, e.getMessage());
      }
    }
  }

  /**
   * The events of a journal file, oldest first; empty if there is none. The last line, if unterminated, is a write
   * in progress or torn by a crash and is skipped quietly; any other line that is not an event is skipped with a
   * warning naming it.
   */
  static List<JournalEvent> readFile(Path file) throws StateException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new StateException("cannot read journal " + file + ": " + e.getMessage(), e);
    }
    List<JournalEvent> events = new ArrayList<>();
    int start = 0;
    int lineNumber = 1;
    for (int end; (end = indexOf(bytes, (byte) '\n', start)) >= 0; start = end + 1, lineNumber++) {
      if (end > start) {
        try {
          events.add(decode(bytes, start, end - start));
        } catch (IOException | RuntimeException e) {
          LOG.warn("skipping {}:{}, which is not a journal event: {}", file, lineNumber, e.getMessage());
        }
      }
    }
    return events;
  }

  private void openChannel() throws IOException {
    channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(FileStateStore.FILE_MODE));
    size = channel.size();
  }

  /** After a crash mid-line, starts the next event on a line of its own so that it stays readable. */
  private void terminateTornLine() throws IOException {
    if (size == 0) {
      return;
    }
    ByteBuffer last = ByteBuffer.allocate(1);
    try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
      reader.read(last, size - 1);
    }
    if (last.get(0) != '\n') {
      channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
      size++;
    }
  }

  private void rotate() throws IOException {
    channel.close();
    try {
      Files.deleteIfExists(rotated(KEPT_ROTATIONS));
      for (int i = KEPT_ROTATIONS - 1; i >= 1; i--) {
        if (Files.exists(rotated(i))) {
          Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Files.move(file, rotated(1), StandardCopyOption.ATOMIC_MOVE);
      LOG.debug("rotated journal {}", file);
    } finally {
      // a failed rotation keeps appending to whichever journal.jsonl is there rather than losing events
      openChannel();
    }
  }

  Path rotated(int generation) {
    return directory.resolve("journal." + generation + ".jsonl");
  }

  static byte[] encode(JournalEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", event.time().toString());
      g.writeStringField("run", event.run());
      g.writeStringField("event", event.event());
      for (Map.Entry<String, Object> field : event.fields().entrySet()) {
        g.writeFieldName(field.getKey());
        writeValue(g, field.getValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode journal event " + event.event(), e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** Writes a value already made JSON-shaped by {@link JournalEvent}; nothing else can reach here. */
  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object e : list) {
        writeValue(g, e);
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a JSON-shaped journal value: " + v.getClass().getName());
    }
  }

  private static JournalEvent decode(byte[] bytes, int offset, int length) throws IOException {
    Map<String, Object> object;
    try {
      object = LINES.readValue(bytes, offset, length, LINES.getTypeFactory()
          .constructMapType(LinkedHashMap.class, String.class, Object.class));
    } catch (JsonProcessingException e) {
      throw new IOException(e.getOriginalMessage(), e);
    }
    Object time = object.remove("time");
    Object run = object.remove("run");
    Object event = object.remove("event");
    if (!(time instanceof String t) || !(run instanceof String r) || !(event instanceof String ev)) {
      throw new IOException("expected string fields time, run and event");
    }
    try {
      return JournalEvent.of(Instant.parse(t), r, ev, object);
    } catch (DateTimeParseException e) {
      throw new IOException("time `" + t + "` is not an ISO-8601 instant", e);
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}

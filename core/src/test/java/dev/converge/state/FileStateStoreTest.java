package dev.converge.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.resource.ResourceId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FileStateStoreTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final ResourceId HOST = ResourceId.of("host", "server1", "server1");
  private static final ResourceId JAIL = ResourceId.of("jail", "server1", "web");
  private static final ResourceId MOTD = ResourceId.of("file", "server1", "/etc/motd");
  private static final LockRequest NOW = new LockRequest(Duration.ZERO, "converge apply specs/site.yaml");

  @TempDir Path project;

  private Path dir() {
    return project.resolve(".converge");
  }

  private StateStore open() throws Exception {
    return FileStateStore.open(dir(), "example", NOW);
  }

  private static State sample(State base) {
    return base
        .withResource(Ownership.adopted(HOST, List.of(), T0))
        .withResource(Ownership.created(JAIL, List.of(HOST), T0.plusSeconds(1)))
        .withResource(Ownership.created(MOTD, List.of(HOST, JAIL), T0.plusMillis(2500)))
        .withAllocation("jails", "web", "172.16.3.3")
        .withAllocation("jails", "db", "172.16.3.4")
        .withAllocation("backbone", "server1-server2", "172.16.2.0/30");
  }

  /* ------ reading and writing ------ */

  @Test
  void read_ofANewDirectory_isAnEmptyStateForTheSite() throws Exception {
    try (StateStore store = open()) {
      State s = store.read();

      assertThat(s.site()).isEqualTo("example");
      assertThat(s.serial()).isZero();
      assertThat(s.resources()).isEmpty();
      assertThat(Files.exists(dir().resolve("state.json"))).isFalse();
    }
  }

  @Test
  void write_thenReopen_roundTripsEverything() throws Exception {
    State written;
    try (StateStore store = open()) {
      store.write(sample(store.read()));
      written = store.read();
    }

    try (StateStore store = open()) {
      assertThat(store.read()).isEqualTo(written);
    }
    assertThat(FileStateStore.peek(dir())).contains(written);
    assertThat(written.resources()).hasSize(3);
    assertThat(written.ownership(MOTD)).get().extracting(Ownership::since).isEqualTo(T0.plusMillis(2500));
  }

  @Test
  void write_numbersEachWriteOneAfterThePrevious() throws Exception {
    try (StateStore store = open()) {
      State base = store.read();
      store.write(base);
      store.write(base.withAllocation("jails", "web", "172.16.3.3"));
      store.write(new State(base.lineage(), 42, "example", base.resources(), base.allocations()));

      assertThat(store.read().serial()).isEqualTo(3);
    }
    assertThat(FileStateStore.peek(dir())).get().extracting(State::serial).isEqualTo(3L);
  }

  @Test
  void stateFile_holdsOneResourcePerLine() throws Exception {
    try (StateStore store = open()) {
      store.write(sample(store.read()));
      String lineage = store.read().lineage();

      assertThat(Files.readString(dir().resolve("state.json"))).isEqualTo("""
          {
            "format_version": 1,
            "lineage": "%s",
            "serial": 1,
            "site": "example",
            "resources": {
              "file/server1:/etc/motd": {"created": true, "requires": ["host/server1:server1", \
          "jail/server1:web"], "since": "2026-11-22T10:00:02.500Z"},
              "host/server1:server1": {"created": false, "requires": [], "since": "2026-11-22T10:00:00Z"},
              "jail/server1:web": {"created": true, "requires": ["host/server1:server1"], \
          "since": "2026-11-22T10:00:01Z"}
            },
            "allocations": {
              "backbone": {"server1-server2": "172.16.2.0/30"},
              "jails": {"db": "172.16.3.4", "web": "172.16.3.3"}
            }
          }
          """.formatted(lineage));
    }
  }

  @Test
  void largeState_roundTrips() throws Exception {
    List<Ownership> many = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      ResourceId host = ResourceId.of("host", "host" + (i % 100), "host" + (i % 100));
      many.add(Ownership.created(ResourceId.of("file", "host" + (i % 100), "/etc/converge/" + i), List.of(host), T0));
    }
    State written;
    try (StateStore store = open()) {
      store.write(store.read().withResources(many));
      written = store.read();
    }

    assertThat(FileStateStore.peek(dir())).contains(written);
    assertThat(written.resources()).hasSize(100_000);
  }

  @Test
  void update_fromManyThreads_losesNoChange() throws Exception {
    int threads = 8;
    int perThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (StateStore store = open()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            ResourceId id = ResourceId.of("file", "server1", "/t" + thread + "/" + i);
            store.update(s -> s.withResource(Ownership.created(id, List.of(), T0)));
            store.journal().append(JournalEvent.of(T0, "r1", JournalEvent.ACTION, Map.of("id", id)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }

      assertThat(store.read().resources()).hasSize(threads * perThread);
      assertThat(store.read().serial()).isEqualTo(threads * perThread);
      assertThat(store.journal().read()).hasSize(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
    assertThat(FileStateStore.peek(dir()).orElseThrow().resources()).hasSize(threads * perThread);
  }

  /* ------ refusals ------ */

  @Test
  void write_ofAnotherLineage_isRefusedAndLeavesTheFile() throws Exception {
    try (StateStore store = open()) {
      store.write(sample(store.read()));
      String before = Files.readString(dir().resolve("state.json"));
      State stranger = sample(State.empty("example"));

      assertThatThrownBy(() -> store.write(stranger))
          .isInstanceOf(StateException.class)
          .hasMessageContaining("lineage " + stranger.lineage())
          .hasMessageContaining("holds lineage " + store.read().lineage())
          .hasMessageContaining(dir().resolve("state.json").toString());
      assertThat(Files.readString(dir().resolve("state.json"))).isEqualTo(before);
      assertThat(store.read().serial()).isEqualTo(1);
    }
  }

  @Test
  void write_ofAnotherSite_isRefused() throws Exception {
    try (StateStore store = open()) {
      assertThatThrownBy(() -> store.write(State.empty("elsewhere")))
          .isInstanceOf(StateException.class)
          .hasMessageContaining("site `elsewhere`")
          .hasMessageContaining("belongs to site `example`");
    }
  }

  @Test
  void open_ofAnotherSitesState_isRefused() throws Exception {
    try (StateStore store = open()) {
      store.write(store.read());
    }

    assertThatThrownBy(() -> FileStateStore.open(dir(), "elsewhere", NOW))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("state.json holds the state of site `example`, not of `elsewhere`");
    try (StateStore store = open()) {
      assertThat(store.read().serial()).as("the refused open released the lock").isEqualTo(1);
    }
  }

  static Stream<Arguments> corruptFiles() {
    String good = """
        {
          "format_version": 1,
          "lineage": "l",
          "serial": 1,
          "site": "example",
          "resources": {
            "host/server1:server1": {"created": false, "requires": [], "since": "2026-11-22T10:00:00Z"}
          },
          "allocations": {}
        }
        """;
    return Stream.of(
        Arguments.of("empty", "", "state.json: expected a JSON object, found the end of the file"),
        Arguments.of("not JSON", "lineage = 4", "state.json:1:1: not valid JSON: Unrecognized token 'lineage'"),
        Arguments.of("truncated", good.substring(0, good.length() / 2), "not valid JSON: Unexpected end-of-input"),
        Arguments.of("newer format", good.replace("\"format_version\": 1", "\"format_version\": 2"),
            "state.json:2:21: format_version 2 is not one this converge reads (it reads 1)"),
        Arguments.of("no format", good.replace("\"format_version\": 1,", ""),
            "expected `format_version` as the first key, found key `lineage`"),
        Arguments.of("missing key", good.replace("\"site\": \"example\",", ""), "the state object has no `site`"),
        Arguments.of("unknown key", good.replace("\"serial\"", "\"colour\": 1, \"serial\""),
            "state.json:4:3: unknown key `colour`; expected lineage, serial, site, resources or allocations"),
        Arguments.of("wrong type", good.replace("\"created\": false", "\"created\": \"yes\""),
            "state.json:7:41: expected `created` to be true or false, found \"yes\""),
        Arguments.of("bad id", good.replace("host/server1:server1", "server1"),
            "state.json:7:5: `server1` is not a resource id"),
        Arguments.of("bad instant", good.replace("2026-11-22T10:00:00Z", "yesterday"),
            "expected `since` to be an ISO-8601 instant such as 2026-11-22T10:00:00Z, found \"yesterday\""),
        Arguments.of("duplicate key", good.replace("\"serial\": 1,", "\"serial\": 1, \"serial\": 2,"),
            "not valid JSON: Duplicate field 'serial'"),
        Arguments.of("trailing content", good + "{}", "expected the end of the file after the state object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptFiles")
  void corruptStateFile_isReportedNeverReset(String name, String content, String expected) throws Exception {
    Files.createDirectories(dir());
    Path file = dir().resolve("state.json");
    Files.writeString(file, content, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> FileStateStore.open(dir(), "example", NOW))
        .isInstanceOf(StateException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining(expected);
    assertThatThrownBy(() -> FileStateStore.peek(dir())).isInstanceOf(StateException.class);
    assertThat(Files.readString(file)).isEqualTo(content);
  }

  /* ------ atomicity ------ */

  /** Writes half a state, then fails as a full disk would. */
  private static final class FailingCodec extends StateCodec {
    @Override
    void write(State state, OutputStream out) throws IOException {
      out.write("{\n  \"format_version\": 1,\n".getBytes(StandardCharsets.UTF_8));
      throw new IOException("No space left on device");
    }
  }

  @Test
  void failedWrite_leavesTheOldFileAndNoTemporaryFile() throws Exception {
    State before;
    try (StateStore store = open()) {
      store.write(sample(store.read()));
      before = store.read();
    }
    byte[] bytesBefore = Files.readAllBytes(dir().resolve("state.json"));

    try (StateStore store = FileStateStore.open(dir(), "example", NOW, new FailingCodec())) {
      assertThatThrownBy(() -> store.write(before.withoutResource(MOTD)))
          .isInstanceOf(StateException.class)
          .hasMessageContaining("cannot write " + dir().resolve("state.json"))
          .hasMessageContaining("No space left on device");

      assertThat(store.read()).isEqualTo(before);
      assertThat(Files.readAllBytes(dir().resolve("state.json"))).isEqualTo(bytesBefore);
      assertThat(fileNames()).containsExactlyInAnyOrder("state.json", "lock", "journal.jsonl");
    }
  }

  @Test
  void temporaryFileLeftByACrash_isRemovedOnOpen() throws Exception {
    try (StateStore store = open()) {
      store.write(sample(store.read()));
    }
    Path abandoned = dir().resolve(".state.json.0b8e7f4c-crash.tmp");
    Files.writeString(abandoned, "{\n  \"format_version\": 1,\n");

    try (StateStore store = open()) {
      assertThat(store.read().resources()).hasSize(3);
      assertThat(abandoned).doesNotExist();
    }
  }

  /* ------ files and modes ------ */

  @Test
  void directoryIsPrivate_andEveryFileInIt() throws Exception {
    try (StateStore store = open()) {
      store.write(store.read());
      store.journal().append(JournalEvent.of(T0, "r1", JournalEvent.RUN_START, Map.of()));
      store.planKey();
    }

    assertThat(mode(dir())).isEqualTo("rwx------");
    assertThat(fileNames()).containsExactlyInAnyOrder("state.json", "lock", "journal.jsonl", "plan.key");
    for (String name : fileNames()) {
      assertThat(mode(dir().resolve(name))).as(name).isEqualTo("rw-------");
    }
  }

  @Test
  void planKey_isThirtyTwoBytesCreatedOnceAndStable() throws Exception {
    byte[] first;
    try (StateStore store = open()) {
      assertThat(dir().resolve("plan.key")).doesNotExist();
      first = store.planKey();
      assertThat(first).hasSize(32);
      assertThat(store.planKey()).isEqualTo(first);
    }

    try (StateStore store = open()) {
      assertThat(store.planKey()).isEqualTo(first);
    }
    assertThat(Files.readAllBytes(dir().resolve("plan.key"))).isEqualTo(first);
  }

  @Test
  void planKey_readableByOthers_isRefused() throws Exception {
    try (StateStore store = open()) {
      store.planKey();
    }
    Files.setPosixFilePermissions(dir().resolve("plan.key"), PosixFilePermissions.fromString("rw-r--r--"));

    try (StateStore store = open()) {
      assertThatThrownBy(store::planKey)
          .isInstanceOf(StateException.class)
          .hasMessageContaining("plan.key has mode rw-r--r--, expected rw------- (0600)");
    }
  }

  @Test
  void planKey_ofTheWrongLength_isRefused() throws Exception {
    Files.createDirectories(dir());
    Files.write(dir().resolve("plan.key"), new byte[16]);
    Files.setPosixFilePermissions(dir().resolve("plan.key"), PosixFilePermissions.fromString("rw-------"));

    try (StateStore store = open()) {
      assertThatThrownBy(store::planKey)
          .isInstanceOf(StateException.class)
          .hasMessageContaining("plan.key holds 16 bytes, expected 32");
    }
  }

  @Test
  void peek_readsWhileAnotherRunHoldsTheLock() throws Exception {
    assertThat(FileStateStore.peek(dir())).isEmpty();
    try (StateStore store = open()) {
      store.write(sample(store.read()));
      store.journal().append(JournalEvent.of(T0, "r1", JournalEvent.RUN_START, Map.of("pid", 1)));

      assertThat(FileStateStore.peek(dir())).contains(store.read());
      assertThat(FileStateStore.peekJournal(dir())).extracting(JournalEvent::event).containsExactly("run-start");
    }
  }

  @Test
  void closedStore_refusesUse() throws Exception {
    StateStore store = open();
    store.close();
    store.close();

    assertThatThrownBy(store::read).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.write(State.empty("example"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.journal().append(JournalEvent.of(T0, "r", "x", Map.of())))
        .isInstanceOf(IllegalStateException.class);
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dir())) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}

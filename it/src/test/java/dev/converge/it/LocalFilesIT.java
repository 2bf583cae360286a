package dev.converge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.state.FileStateStore;
import dev.converge.state.LockRequest;
import dev.converge.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code converge} command on a spec of 200 files on the local host ({@code transport: local}): converge,
 * plan, drift, restore, delete, saved plans, the lock and bad input, all asserted on the file system and on exit
 * codes and output.
 */
class LocalFilesIT {

  private static final int FILES = 200;
  private static final int NOT_IN_SPEC = -1;

  @TempDir Path dir;
  private Path root;
  private Path spec;

  @BeforeEach
  void writeSpec() throws Exception {
    root = dir.resolve("managed");
    spec = SpecWriter.files(dir.resolve("site.yaml"), "files200", "box", "transport: local", root, FILES, NOT_IN_SPEC);
  }

  private Path file(int i) {
    return root.resolve("dir" + (i % 10)).resolve("file-" + i + ".conf");
  }

  @Test
  void twoHundredFilesConvergeThenThereIsNothingLeftToDo() throws Exception {
    Cli.Run first = Cli.run(spec.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.out()).contains("Apply: 200 created, 0 updated, 0 replaced, 0 deleted, 0 moved; 0 failed, 0 skipped.");
    for (int i = 0; i < FILES; i++) {
      assertThat(file(i)).hasContent(SpecWriter.content(i).stripTrailing());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file(i)))).isEqualTo("rw-r-----");
    }

    Cli.Run plan = Cli.run("plan", spec.toString());
    assertThat(plan.exit()).as(plan.toString()).isZero();
    assertThat(plan.out()).isEmpty();

    Cli.Run again = Cli.run(spec.toString());
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).as("cron mails only on change").isEmpty();
  }

  @Test
  void aFileEditedByHandShowsAsExactlyThatDiffAndIsRestored() throws Exception {
    assertThat(Cli.run(spec.toString()).exit()).isZero();
    Files.writeString(file(7), SpecWriter.content(7).replace("index = 7", "index = 70"));

    Cli.Run plan = Cli.run("plan", spec.toString());

    assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.out()).isEqualTo("~ update file/box:" + file(7) + "\n"
        + "      content:\n"
        + "        @@ -1,3 +1,3 @@\n"
        + "         # managed by converge\n"
        + "        -index = 70\n"
        + "        +index = 7\n"
        + "         name = file-7\n"
        + "\n"
        + "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 to move.\n");

    Cli.Run fix = Cli.run(spec.toString());
    assertThat(fix.exit()).as(fix.toString()).isZero();
    assertThat(fix.out()).contains("updated file/box:" + file(7));
    assertThat(file(7)).hasContent(SpecWriter.content(7).stripTrailing());
    assertThat(Cli.run("plan", spec.toString()).exit()).isZero();
  }

  @Test
  void aModeChangedByHandIsPlannedAsAModeUpdate() throws Exception {
    assertThat(Cli.run(spec.toString()).exit()).isZero();
    Files.setPosixFilePermissions(file(3), PosixFilePermissions.fromString("rw-rw-rw-"));

    Cli.Run plan = Cli.run("plan", spec.toString());

    assertThat(plan.exit()).isEqualTo(2);
    assertThat(plan.out()).contains("~ update file/box:" + file(3) + "\n      mode: \"0666\" → \"0640\"\n");
  }

  @Test
  void aFileDroppedFromTheSpecIsDeletedOnlyIfConvergeCreatedIt() throws Exception {
    Files.createDirectories(file(3).getParent());
    Files.writeString(file(3), SpecWriter.content(3));
    Files.setPosixFilePermissions(file(3), PosixFilePermissions.fromString("rw-r-----"));
    assertThat(Cli.run(spec.toString()).exit()).isZero();

    SpecWriter.files(spec, "files200", "box", "transport: local", root, 5, NOT_IN_SPEC);
    Cli.Run plan = Cli.run("plan", spec.toString());

    assertThat(plan.exit()).isEqualTo(2);
    assertThat(plan.out()).contains("Plan: 0 to create, 0 to update, 0 to replace, 195 to delete, 0 to move.")
        .doesNotContain("file-3.conf").doesNotContain("file-4.conf");

    SpecWriter.files(spec, "files200", "box", "transport: local", root, FILES, 3);
    Cli.Run converge = Cli.run(spec.toString());
    assertThat(converge.exit()).as(converge.toString()).isZero();
    assertThat(converge.err()).contains("file/box:" + file(3)
        + " is no longer in the spec; left in place because converge did not create it");
    assertThat(file(3)).exists();

    SpecWriter.files(spec, "files200", "box", "transport: local", root, FILES, 4);
    Cli.Run delete = Cli.run(spec.toString());
    assertThat(delete.exit()).as(delete.toString()).isZero();
    assertThat(delete.out()).contains("- delete file/box:" + file(4)).contains("deleted file/box:" + file(4));
    assertThat(file(4)).doesNotExist();
    assertThat(file(3)).exists();
  }

  @Test
  void aSavedPlanIsAppliedOnlyWhileNothingChangedSinceItWasMade() throws Exception {
    assertThat(Cli.run(spec.toString()).exit()).isZero();
    Path planFile = dir.resolve("change.plan");
    Files.writeString(file(1), "drifted\n");
    assertThat(Cli.run("plan", "--out", planFile.toString(), spec.toString()).exit()).isEqualTo(2);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(planFile))).isEqualTo("rw-------");

    Files.writeString(file(1), "drifted again\n");
    Cli.Run stale = Cli.run("apply", planFile.toString());
    assertThat(stale.exit()).as(stale.toString()).isEqualTo(1);
    assertThat(stale.err()).contains("the saved plan is stale")
        .contains("file/box:" + file(1) + ": its actual or desired state changed since the plan was made");
    assertThat(file(1)).hasContent("drifted again");

    assertThat(Cli.run("plan", "--out", planFile.toString(), spec.toString()).exit()).isEqualTo(2);
    Cli.Run applied = Cli.run("apply", planFile.toString());
    assertThat(applied.exit()).as(applied.toString()).isZero();
    assertThat(file(1)).hasContent(SpecWriter.content(1).stripTrailing());

    Cli.Run twice = Cli.run("apply", planFile.toString());
    assertThat(twice.exit()).as("a plan cannot be applied twice").isEqualTo(1);
    assertThat(twice.err()).contains("converge's state changed since the plan was made");
  }

  @Test
  void aSecondRunWaitsForTheLockThenExits75NamingTheHolder() throws Exception {
    try (StateStore held = FileStateStore.open(dir.resolve(".converge"), "files200",
        new LockRequest(Duration.ZERO, "the test holding the lock"))) {
      Cli.Run run = Cli.run("--lock-timeout", "1s", spec.toString());

      assertThat(run.exit()).as(run.toString()).isEqualTo(75);
      assertThat(run.err()).contains("is locked by pid " + ProcessHandle.current().pid())
          .contains("the test holding the lock");
    }
    assertThat(file(0)).doesNotExist();
  }

  @Test
  void anInvalidSpecExits65NamingFileLineAndColumnAndChangesNothing() throws Exception {
    Files.writeString(spec, "site: broken\nhosts:\n  box: { transport: local, adress: 10.0.0.1 }\nfiles:\n"
        + "  - { host: box, path: " + file(0) + ", content: x }\n");

    Cli.Run validate = Cli.run("validate", spec.toString());
    Cli.Run converge = Cli.run(spec.toString());

    assertThat(validate.exit()).isEqualTo(65);
    assertThat(validate.err()).contains("site.yaml:3:28: error: unknown key `adress`").contains("did you mean `address`?");
    assertThat(converge.exit()).isEqualTo(65);
    assertThat(file(0)).doesNotExist();
  }

  @Test
  void planJsonIsVersionedAndRedactsNothingThatIsNotSecret() throws Exception {
    Cli.Run plan = Cli.run("plan", "--json", spec.toString());

    assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(plan.out());
    assertThat(json.path("format_version").asText()).isEqualTo("1.1");
    assertThat(json.path("summary").path("create").asInt()).isEqualTo(FILES);
    assertThat(json.path("changes").get(0).path("fields")).anySatisfy(f -> {
      assertThat(f.path("field").asText()).isEqualTo("content");
      assertThat(f.path("sensitive").asBoolean()).isFalse();
    });
  }
}

package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCommandsTest {

    private static final String FILES = "/v1/sandboxes/sb1/files";
    private static final String FILE = """
            {"path":"/data/blob.bin","type":"file","sizeBytes":3145745,"mode":"644",
             "modifiedAt":"2026-01-02T03:04:05.123456789Z","symlinkTarget":null}""";
    private static final String DIRECTORY = """
            {"path":"/data","type":"directory","sizeBytes":4096,"mode":"755",
             "modifiedAt":"2026-01-02T03:00:00Z","symlinkTarget":null}""";
    private static final String LINK = """
            {"path":"/data/latest","type":"symlink","sizeBytes":8,"mode":"777",
             "modifiedAt":"2026-01-02T03:00:01.9Z","symlinkTarget":"blob.bin"}""";

    @TempDir
    Path temp;

    private StubDaemon daemon;

    @BeforeEach
    void startDaemon() throws IOException {
        daemon = StubDaemon.start();
    }

    @AfterEach
    void stopDaemon() {
        daemon.close();
    }

    @Test
    void cpUploadsALocalFileStreamedWithItsLengthAndShowsProgress() throws IOException {
        byte[] content = randomBytes(3 * 1024 * 1024 + 17);
        Path local = Files.write(temp.resolve("blob.bin"), content);
        daemon.answer("PUT", FILES, 200, FILE);

        CliRun run = perpetua("sandbox", "cp", local.toString(), "sb1:/data/blob.bin");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("\ruploaded ").endsWith("\ruploaded 3145745 of 3145745 bytes\n");
        Request upload = daemon.requests().getLast();
        assertThat(upload.method()).isEqualTo("PUT");
        assertThat(upload.query()).isEqualTo("path=/data/blob.bin");
        assertThat(upload.header("Content-Length")).isEqualTo("3145745");
        assertThat(upload.bytes()).isEqualTo(content);
    }

    @Test
    void cpIntoADirectoryOfTheSandboxKeepsTheFilesName() throws IOException {
        Path local = Files.writeString(temp.resolve("notes.txt"), "hello");
        daemon.answer("GET", FILES + "/stat", 200, DIRECTORY).answer("PUT", FILES, 200, FILE);

        CliRun run = perpetua("sandbox", "cp", local.toString(), "sb1:/data");

        assertThat(run.exitCode()).isZero();
        assertThat(daemon.requests()).extracting(Request::method, Request::path, Request::query).containsExactly(
                tuple("GET", FILES + "/stat", "path=/data"),
                tuple("PUT", FILES, "path=/data/notes.txt"));
    }

    @Test
    void cpOfASmallFileShowsNoProgress() throws IOException {
        Path local = Files.writeString(temp.resolve("notes.txt"), "hello");
        daemon.answer("PUT", FILES, 200, FILE);

        CliRun run = perpetua("sandbox", "cp", local.toString(), "sb1:/data/");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(daemon.requests()).extracting(Request::query).containsExactly("path=/data/notes.txt");
        assertThat(daemon.requests().getFirst().body()).isEqualTo("hello");
    }

    @Test
    void cpDownloadsAFileOutOfTheSandboxStreamed() throws IOException {
        byte[] content = randomBytes(2 * 1024 * 1024 + 5);
        daemon.answerBytes("GET", FILES, content);
        Path local = temp.resolve("copy.bin");

        CliRun run = perpetua("sandbox", "cp", "sb1:/data/blob.bin", local.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(Files.readAllBytes(local)).isEqualTo(content);
        assertThat(run.err()).endsWith("\rdownloaded 2097157 bytes\n");
        assertThat(daemon.requests()).extracting(Request::method, Request::query).containsExactly(tuple("GET", "path=/data/blob.bin"));
    }

    @Test
    void cpQuietShowsNoProgressAndIntoALocalDirectoryKeepsTheName() throws IOException {
        byte[] content = randomBytes(2 * 1024 * 1024);
        daemon.answerBytes("GET", FILES, content);

        CliRun run = perpetua("sandbox", "cp", "--quiet", "sb1:/data/blob.bin", temp.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(Files.readAllBytes(temp.resolve("blob.bin"))).isEqualTo(content);
    }

    @Test
    void cpOfAMissingSandboxFileFailsAndLeavesNothingLocal() {
        Path local = temp.resolve("never.bin");

        CliRun run = perpetua("sandbox", "cp", "sb1:/nope", local.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: no stub for GET " + FILES + " (not_found)\n");
        assertThat(local).doesNotExist();
    }

    @Test
    void cpOfAMissingLocalFileFailsWithoutAskingTheDaemon() {
        CliRun run = perpetua("sandbox", "cp", temp.resolve("nope").toString(), "sb1:/data/");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: cannot copy " + temp.resolve("nope") + ": no such file\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void cpBetweenTwoLocalPathsIsAUsageErrorWithExitCode2() {
        CliRun run = perpetua("sandbox", "cp", "a.txt", "b.txt");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("one of SRC and DST must be a sandbox path");
    }

    @Test
    void lsPrintsATableOfTheEntries() {
        daemon.answer("GET", FILES + "/list", 200,
                "{\"path\":\"/data\",\"entries\":[" + FILE + "," + LINK + "],\"truncated\":false}");

        CliRun run = perpetua("sandbox", "ls", "sb1", "/data", "--depth", "2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "TYPE     SIZE     MODE  MODIFIED              PATH",
                "file     3145745  644   2026-01-02T03:04:05Z  /data/blob.bin",
                "symlink  8        777   2026-01-02T03:00:01Z  /data/latest -> blob.bin");
        assertThat(run.err()).isEmpty();
        assertThat(daemon.requests().getFirst().query()).isEqualTo("path=/data&depth=2");
    }

    @Test
    void lsSaysWhenTheListingWasCutShort() {
        daemon.answer("GET", FILES + "/list", 200, "{\"path\":\"/\",\"entries\":[],\"truncated\":true}");

        CliRun run = perpetua("sandbox", "ls", "sb1", "/");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).startsWith("perpetua: there are more entries than the daemon lists at once");
        assertThat(daemon.requests().getFirst().query()).isEqualTo("path=/&depth=1");
    }

    @Test
    void lsWithJsonOutputPrintsTheListing() {
        String listing = "{\"path\":\"/data\",\"entries\":[" + LINK + "],\"truncated\":false}";
        daemon.answer("GET", FILES + "/list", 200, listing);

        CliRun run = perpetua("sandbox", "ls", "--output", "json", "sb1", "/data");

        assertThat(JsonText.compact(run.out())).isEqualTo(JsonText.compact(listing).replace("01.9Z", "01.900Z"));
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(Map.of("PERPETUA_URL", daemon.url()), "", args);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}

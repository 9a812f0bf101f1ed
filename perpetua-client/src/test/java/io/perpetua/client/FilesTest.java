package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesTest {

    private static final String FILES = "/v1/sandboxes/sb1/files";

    @TempDir
    Path temp;

    private StubServer daemon;
    private Perpetua perpetua;
    private Files files;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
        files = perpetua.sandboxes().handle("sb1").files();
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void uploadStreamsTheLocalFileWithItsContentLength() throws IOException {
        byte[] content = randomBytes(3 * 1024 * 1024 + 17);
        Path local = java.nio.file.Files.write(temp.resolve("blob.bin"), content);
        daemon.json("PUT", FILES, 200, Fixtures.FILE);

        FileInfo written = files.upload("/data/blob.bin", local);

        StubServer.Request request = daemon.only();
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.rawQuery()).isEqualTo("path=/data/blob.bin");
        assertThat(request.header("Content-Length")).isEqualTo(Long.toString(content.length));
        assertThat(request.header("Transfer-Encoding")).isNull();
        assertThat(request.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(request.body()).isEqualTo(content);
        assertThat(written).isEqualTo(new FileInfo("/data/blob.bin", "file", 3, "644",
                Instant.parse("2026-01-02T03:04:05.123456789Z"), null));
    }

    @Test
    void uploadFromAStreamSendsTheGivenLength() {
        byte[] content = randomBytes(70_000);
        daemon.json("PUT", FILES, 200, Fixtures.FILE);

        files.upload("/data/blob.bin", new ByteArrayInputStream(content), content.length);

        assertThat(daemon.only().header("Content-Length")).isEqualTo("70000");
        assertThat(daemon.only().body()).isEqualTo(content);
    }

    @Test
    void writeSendsTheBytesGiven() {
        daemon.json("PUT", FILES, 200, Fixtures.FILE);

        files.write("/data/blob.bin", "abc".getBytes(StandardCharsets.UTF_8));

        assertThat(daemon.only().text()).isEqualTo("abc");
        assertThat(daemon.only().header("Content-Length")).isEqualTo("3");
    }

    @Test
    void downloadStreamsTheFileIntoAnOutputStream() {
        byte[] content = randomBytes(2 * 1024 * 1024 + 5);
        daemon.on("GET", FILES, chunked(content));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        long copied = files.download("/data/blob.bin", out);

        assertThat(copied).isEqualTo(content.length);
        assertThat(out.toByteArray()).isEqualTo(content);
        assertThat(daemon.only().rawQuery()).isEqualTo("path=/data/blob.bin");
    }

    @Test
    void downloadToALocalFileWritesItWhole() throws IOException {
        byte[] content = randomBytes(1024 * 1024 + 3);
        daemon.on("GET", FILES, chunked(content));
        Path local = temp.resolve("copy.bin");

        assertThat(files.download("/data/blob.bin", local)).isEqualTo(content.length);

        assertThat(java.nio.file.Files.readAllBytes(local)).isEqualTo(content);
    }

    @Test
    void aDownloadOfAMissingFileCreatesNoLocalFile() {
        Path local = temp.resolve("never.bin");

        assertThatThrownBy(() -> files.download("/nope", local)).isInstanceOf(NotFoundException.class);

        assertThat(local).doesNotExist();
    }

    @Test
    void readAnswersTheWholeFile() {
        daemon.on("GET", FILES, StubServer.bytes("hello".getBytes(StandardCharsets.UTF_8)));

        assertThat(files.read("/etc/motd")).asString(StandardCharsets.UTF_8).isEqualTo("hello");
    }

    @Test
    void pathsAreEncodedInTheQueryString() {
        String path = "/tmp/a b&c+d=e/é?#%";

        assertThatThrownBy(() -> files.stat(path)).isInstanceOf(NotFoundException.class);

        String query = daemon.only().rawQuery();
        assertThat(query).isEqualTo("path=/tmp/a%20b%26c%2Bd%3De/%C3%A9%3F%23%25");
        assertThat(URLDecoder.decode(query.substring("path=".length()), StandardCharsets.UTF_8)).isEqualTo(path);
    }

    @Test
    void listSendsThePathAndDepthAndAnswersTheEntries() {
        daemon.json("GET", FILES + "/list", 200, "{\"path\":\"/data\",\"entries\":[" + Fixtures.FILE + ","
                + Fixtures.FILE.replace("\"/data/blob.bin\"", "\"/data/sub\"").replace("\"file\"", "\"directory\"")
                + "],\"truncated\":true}");

        FileListing listing = files.list("/data", 2);

        assertThat(daemon.only().rawQuery()).isEqualTo("path=/data&depth=2");
        assertThat(listing.path()).isEqualTo("/data");
        assertThat(listing.truncated()).isTrue();
        assertThat(listing.entries()).extracting(FileInfo::path, FileInfo::isDirectory)
                .containsExactly(tuple("/data/blob.bin", false), tuple("/data/sub", true));
    }

    @Test
    void mkdirMoveAndDeleteSendWhatTheApiTakes() {
        daemon.json("POST", FILES + "/mkdir", 200, Fixtures.FILE)
                .json("POST", FILES + "/move", 200, Fixtures.FILE)
                .json("DELETE", FILES, 204, "");

        files.mkdir("/data/a/b");
        files.move("/data/x", "/data/y", true);
        files.move("/data/y", "/data/z", false);
        files.delete("/data/a", true);
        files.delete("/data/z", false);

        assertThat(daemon.requests()).extracting(StubServer.Request::method, StubServer.Request::rawQuery, StubServer.Request::text)
                .containsExactly(
                        tuple("POST", null, "{\"path\":\"/data/a/b\"}"),
                        tuple("POST", null, "{\"from\":\"/data/x\",\"to\":\"/data/y\",\"overwrite\":true}"),
                        tuple("POST", null, "{\"from\":\"/data/y\",\"to\":\"/data/z\"}"),
                        tuple("DELETE", "path=/data/a&recursive=true", ""),
                        tuple("DELETE", "path=/data/z", ""));
    }

    @Test
    void aRelativePathIsRejectedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> files.read("etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path must be an absolute path (starting with /) but was 'etc/passwd'");
        assertThat(daemon.requests()).isEmpty();
    }

    private static StubServer.Responder chunked(byte[] content) {
        return (request, exchange) -> {
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int at = 0; at < content.length; at += 100_000) {
                    out.write(content, at, Math.min(100_000, content.length - at));
                }
            }
        };
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}

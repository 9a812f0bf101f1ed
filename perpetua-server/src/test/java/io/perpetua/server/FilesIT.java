package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The files API against a real daemon whose heap is capped at 256 MB: content is streamed, and
 * paths are resolved by the sandbox's own kernel, so nothing reaches the host's files.
 */
class FilesIT {

    private static final long GIB = 1L << 30;

    private static Daemon daemon;
    private static Api api;
    private static String id;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start(List.of("-Xmx256m"), "--idle-timeout", "1h", "--warm-pool", "0");
        api = daemon.api();
        id = api.create(Map.of());
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @Test
    void uploadedFileCanBeDownloadedAndIsSeenInsideTheSandbox() {
        Api.Response uploaded = upload("/root/docs/note.txt", "hello\n");
        assertThat(uploaded.status()).isEqualTo(200);
        assertThat(uploaded.json().path("sizeBytes").asLong()).isEqualTo(6);
        assertThat(api.sh(id, "cat /root/docs/note.txt")).isEqualTo("hello\n");
        assertThat(download("/root/docs/note.txt")).isEqualTo("hello\n");
    }

    @Test
    void aGibibyteGoesUpAndDownStreamedThroughADaemonWithA256MbHeap() {
        Api.Response uploaded = api.put(files("/root/big.bin"), () -> new PseudoRandomStream(GIB, 42), GIB);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
        assertThat(uploaded.json().path("sizeBytes").asLong()).isEqualTo(GIB);
        String[] downloaded = new String[1];
        int status = api.download(files("/root/big.bin"), in -> downloaded[0] = sha256(in));
        assertThat(status).isEqualTo(200);
        assertThat(downloaded[0]).isEqualTo(sha256(new PseudoRandomStream(GIB, 42)));
        api.sh(id, "rm /root/big.bin");
    }

    @Test
    void listStatMkdirMoveAndDeleteDoWhatTheySay() {
        assertThat(post("mkdir", Map.of("path", "/root/tree/a/b")).path("type").asString()).isEqualTo("directory");
        upload("/root/tree/a/b/one.txt", "1");
        api.sh(id, "ln -s /root/tree/a/b/one.txt /root/tree/link");
        JsonNode listing = api.get(files("/root/tree") .replace("/files?", "/files/list?") + "&depth=3").json();
        assertThat(listing.path("entries").findValuesAsString("path"))
                .containsExactlyInAnyOrder("/root/tree/a", "/root/tree/a/b", "/root/tree/a/b/one.txt", "/root/tree/link");
        JsonNode link = api.get(files("/root/tree/link").replace("/files?", "/files/stat?")).json();
        assertThat(link.path("type").asString()).isEqualTo("symlink");
        assertThat(link.path("symlinkTarget").asString()).isEqualTo("/root/tree/a/b/one.txt");
        assertThat(post("move", Map.of("from", "/root/tree/a/b/one.txt", "to", "/root/tree/two.txt")).path("sizeBytes").asLong()).isEqualTo(1);
        assertThat(api.post(fileOp("move"), Map.of("from", "/root/tree/two.txt", "to", "/root/tree/a")).errorCode()).isEqualTo("file_exists");
        assertThat(api.delete(files("/root/tree")).errorCode()).isEqualTo("directory_not_empty");
        assertThat(api.delete(files("/root/tree") + "&recursive=true").status()).isEqualTo(204);
        assertThat(api.get(files("/root/tree").replace("/files?", "/files/stat?")).errorCode()).isEqualTo("file_not_found");
    }

    @Test
    void hostilePathsAndSymlinksNeverReachTheHost() throws Exception {
        Path hostSecret = Files.writeString(daemon.dataDirectory().resolve("host-secret.txt"), "host only");
        api.sh(id, "ln -sfn /etc/shadow /root/shadow; ln -sfn " + hostSecret + " /root/secret; ln -sfn / /root/up");
        for (String path : List.of("/root/shadow", "/root/secret", "/root/../../../../etc/shadow", "/root/up" + hostSecret,
                hostSecret.toString(), "/proc/1/root" + hostSecret)) {
            Api.Response response = api.get(files(path));
            // Not found, or (through gVisor's odd walk of a symlink to /) "is a directory": never the host's file.
            assertThat(response.status()).as(path + " " + response.body()).isIn(400, 404);
            assertThat(response.body()).doesNotContain("host only");
        }
        String hostShadow = Files.readString(Path.of("/etc/shadow"));
        assertThat(upload("/root/shadow", "overwritten").status()).isEqualTo(200);
        upload("/root/up/etc/passwd-sandbox", "x");
        assertThat(Files.readString(Path.of("/etc/shadow"))).isEqualTo(hostShadow);
        assertThat(Path.of("/etc/passwd-sandbox")).doesNotExist();
        assertThat(hostSecret).hasContent("host only");
    }

    @Test
    void aSymlinkFlippingDuringUploadsStaysInsideTheSandbox() {
        api.sh(id, "mkdir -p /root/d; (for i in $(seq 2000); do ln -sfn / /root/flip; ln -sfn /root/d /root/flip; done) >/dev/null 2>&1 &");
        for (int i = 0; i < 10; i++) {
            upload("/root/flip/perpetua-race-" + i, "race");
        }
        for (int i = 0; i < 10; i++) {
            assertThat(Path.of("/perpetua-race-" + i)).doesNotExist();
        }
    }

    @Test
    void badPathsAndMissingFilesAreClearErrors() {
        assertThat(api.get(files("relative/path")).errorField()).isEqualTo("path");
        assertThat(api.get("/v1/sandboxes/" + id + "/files").errorField()).isEqualTo("path");
        assertThat(api.get(files("/no/such/file")).errorCode()).isEqualTo("file_not_found");
        assertThat(api.get(files("/root")).errorField()).isEqualTo("path");
        assertThat(api.get(files("/root").replace("/files?", "/files/list?") + "&depth=x").errorField()).isEqualTo("depth");
        assertThat(api.post(fileOp("move"), Map.of("from", "/root", "to", "nowhere")).errorField()).isEqualTo("to");
        assertThat(api.get("/v1/sandboxes/sbaaaaaaaaaaaaaa/files?path=/etc/hostname").status()).isEqualTo(404);
    }

    @Test
    void watchReportsChangesBelowADirectoryAndEndsItsWatcherWhenTheClientLeaves() throws Exception {
        api.sh(id, "mkdir -p /root/watched");
        SseClient sse = new SseClient(api);
        CompletableFuture<List<SseClient.Event>> events = CompletableFuture.supplyAsync(() -> sse.read(
                files("/root/watched").replace("/files?", "/files/watch?"), null,
                seen -> seen.stream().anyMatch(e -> e.name().equals("deleted"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> watchers() == 1);
        api.sh(id, "echo a > /root/watched/new.txt && mkdir /root/watched/sub && sleep 0.3 && echo b > /root/watched/sub/deep.txt && rm /root/watched/new.txt");
        List<SseClient.Event> seen = events.get(60, TimeUnit.SECONDS);
        assertThat(seen).extracting(SseClient.Event::name, SseClient.Event::data).contains(
                tuple("created", "{\"path\":\"/root/watched/new.txt\"}"),
                tuple("created", "{\"path\":\"/root/watched/sub/deep.txt\"}"),
                tuple("deleted", "{\"path\":\"/root/watched/new.txt\"}"));
        await().atMost(Duration.ofSeconds(60)).until(() -> watchers() == 0);
    }

    private static long watchers() {
        return api.get("/v1/sandboxes/" + id + "/processes").json().path("processes").valueStream()
                .filter(p -> p.path("name").asString().equals("files-watch") && p.path("status").asString().equals("running")).count();
    }

    @Test
    void readingAFileWakesAHibernatedSandbox() {
        upload("/root/kept.txt", "kept");
        api.post("/v1/sandboxes/" + id + "/hibernate", "");
        assertThat(download("/root/kept.txt")).isEqualTo("kept");
        assertThat(api.state(id)).isEqualTo("running");
    }

    private static Api.Response upload(String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return api.put(files(path), () -> new ByteArrayInputStream(bytes), bytes.length);
    }

    private static String download(String path) {
        String[] text = new String[1];
        int status = api.download(files(path), in -> {
            try {
                text[0] = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(status).isEqualTo(200);
        return text[0];
    }

    private static JsonNode post(String operation, Map<String, Object> body) {
        Api.Response response = api.post(fileOp(operation), body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static String files(String path) {
        return "/v1/sandboxes/" + id + "/files?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    private static String fileOp(String operation) {
        return "/v1/sandboxes/" + id + "/files/" + operation;
    }

    private static String sha256(InputStream in) {
        try (in) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code length} bytes from a seeded generator, so two streams of one seed are equal and none is held in memory. */
    private static final class PseudoRandomStream extends InputStream {
        private final Random random;
        private long left;

        PseudoRandomStream(long length, long seed) {
            this.random = new Random(seed);
            this.left = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(length, left);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, buffer, offset, n);
            left -= n;
            return n;
        }
    }
}

package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * OCI images as templates, on a real daemon: an image the test builds itself with umoci (busybox
 * and a file, nothing of the host's userland) becomes a template, from a path on the host (an
 * OCI layout) and uploaded (a docker save archive); its sandboxes run on the image's files, not
 * the default root's; a template builds on it; what is no image is refused and leaves nothing.
 */
class TemplateImageIT {

    private static Daemon daemon;
    private static Api api;
    private static Path work;
    private static Path layout;
    private static Path dockerArchive;
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> templates = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        work = Files.createTempDirectory("perpetua-image-it-");
        layout = work.resolve("layout");
        buildBusyboxImage(layout, work.resolve("bundle"));
        dockerArchive = work.resolve("busybox-docker.tar");
        run("skopeo", "copy", "--quiet", "oci:" + layout + ":latest", "docker-archive:" + dockerArchive + ":busybox:latest");
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0", "PERPETUA_TEMPLATE_WARM_POOL", "0"), "--idle-timeout", "1h",
                "--hibernate-after", "1h");
        api = daemon.api();
    }

    @AfterAll
    static void stop() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
    }

    @AfterEach
    void cleanUp() {
        sandboxes.forEach(id -> api.delete("/v1/sandboxes/" + id));
        templates.reversed().forEach(name -> api.delete("/v1/templates/" + name));
    }

    @Test
    void anImageOnTheHostBecomesATemplateWhoseSandboxesRunOnItsFiles() {
        JsonNode template = await(accepted(api.post("/v1/templates", Map.of("name", "busybox", "image", layout.toString(),
                "setup", List.of("echo set-up-by-sh > /root/made")))));
        assertThat(template.path("state").asString()).as(template.toString()).isEqualTo("ready");
        assertThat(template.path("image").asString()).startsWith("img-");

        String sandbox = create("busybox");
        assertThat(api.sh(sandbox, "cat /greeting /root/made")).isEqualTo("hello-image\nset-up-by-sh\n");
        assertThat(api.sh(sandbox, "ls /usr/bin/python3 2>&1 || echo absent")).as("nothing of the default root").contains("absent");
        assertThat(api.sh(sandbox, "readlink /bin/sh")).isEqualTo("busybox\n");

        JsonNode layered = await(accepted(api.post("/v1/templates", Map.of("name", "busybox-plus", "from", "busybox",
                "setup", List.of("echo layered > /root/more")))));
        assertThat(layered.path("state").asString()).as(layered.toString()).isEqualTo("ready");
        String third = create("busybox-plus");
        assertThat(api.sh(third, "cat /greeting /root/more")).isEqualTo("hello-image\nlayered\n");

        sandboxes.forEach(id -> assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204));
        sandboxes.clear();
        assertThat(api.delete("/v1/templates/busybox").status()).isEqualTo(204);
        templates.remove("busybox");
        String afterBaseDeleted = create("busybox-plus");
        assertThat(api.sh(afterBaseDeleted, "cat /greeting")).as("the image stays while a template built on it does").isEqualTo("hello-image\n");
    }

    @Test
    void anUploadedDockerArchiveBecomesATemplate() throws IOException {
        JsonNode template = await(accepted(upload("uploaded", Files.readAllBytes(dockerArchive))));
        assertThat(template.path("state").asString()).as(template.toString()).isEqualTo("ready");
        String sandbox = create("uploaded");
        assertThat(api.sh(sandbox, "cat /greeting; hostname")).isEqualTo("hello-image\n" + sandbox + "\n");
    }

    @Test
    void whatIsNoImageIsRefusedAndLeavesNothing() throws IOException {
        List<String> imagesBefore = images();
        assertError(upload("junk", "this is no tar archive at all".getBytes()), 400, "image");
        Path emptyTar = work.resolve("empty.tar");
        run("tar", "-cf", emptyTar.toString(), "-C", work.toString(), "--files-from", "/dev/null");
        assertError(upload("empty", Files.readAllBytes(emptyTar)), 400, "image");
        byte[] damaged = Files.readAllBytes(dockerArchive);
        for (int i = damaged.length / 3; i < damaged.length / 3 + 4096; i++) {
            damaged[i] ^= 0x5a;
        }
        assertError(upload("damaged", damaged), 400, "image");
        assertError(api.post("/v1/templates", Map.of("name", "nowhere", "image", work.resolve("missing").toString())), 400, "image");
        assertError(api.post("/v1/templates", Map.of("name", "relative", "image", "layout")), 400, "image");
        Api.Response issued = api.post("/v1/keys", Map.of("name", "plain"));
        Api plain = api.withKey(issued.json().path("key").asString());
        assertThat(plain.post("/v1/templates", Map.of("name", "sneaky", "image", "/etc")).status()).as("host paths are for admins")
                .isEqualTo(403);
        assertThat(api.get("/v1/templates").json().path("templates")).as("no template is left").isEmpty();
        assertThat(images()).as("nothing unpacked is left").isEqualTo(imagesBefore);
    }

    private static JsonNode accepted(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json();
    }

    private JsonNode await(JsonNode accepted) {
        String name = accepted.path("name").asString();
        templates.add(name);
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> !api.get("/v1/templates/" + name).json().path("state").asString().equals("building"));
        return api.get("/v1/templates/" + name).json();
    }

    private String create(String template) {
        Api.Response created = api.post("/v1/sandboxes", Map.of("template", template));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asString();
        sandboxes.add(id);
        return id;
    }

    private static Api.Response upload(String name, byte[] archive) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(api.baseUri() + "/v1/templates/" + name + "/image"))
                    .header("Authorization", api.authorization()).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
            return new Api.Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertError(Api.Response response, int status, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().path("error").path("field").asString()).as(response.body()).isEqualTo(field);
    }

    private static List<String> images() {
        Path images = daemon.dataDirectory().resolve("templates").resolve("images");
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(images)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An OCI image layout holding busybox (static, from Debian's busybox-static) and /greeting, made with umoci. */
    static void buildBusyboxImage(Path layout, Path bundle) throws IOException {
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":latest");
        run("umoci", "unpack", "--image", layout + ":latest", bundle.toString());
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "ls", "cat", "echo", "mkdir", "hostname", "readlink", "sleep", "true", "false", "env")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.writeString(bundle.resolve("rootfs/greeting"), "hello-image\n");
        run("umoci", "repack", "--image", layout + ":latest", bundle.toString());
        run("umoci", "config", "--image", layout + ":latest", "--config.cmd=/bin/sh");
    }

    private static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

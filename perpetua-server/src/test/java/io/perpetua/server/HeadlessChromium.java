package io.perpetua.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debian's chromium, headless, driven by its chromedriver over the W3C WebDriver protocol (plain
 * HTTP and JSON, so no client library). {@link #close()} ends the browser and the driver, which
 * this class started, and removes the browser's profile.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process driver;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI session;

    private HeadlessChromium(Process driver, int port, Path profile) {
        this.driver = driver;
        this.profile = profile;
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> send("GET", base.resolve("status"), null)
                .path("value").path("ready").asBoolean());
        JsonNode created = send("POST", base.resolve("session"), Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                "browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", "/usr/bin/chromium", "args", List.of("--headless=new", "--no-sandbox",
                        "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1700", "--user-data-dir=" + profile))))));
        this.session = base.resolve("session/" + created.path("value").path("sessionId").asString());
    }

    static HeadlessChromium start() {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path profile = Files.createTempDirectory("perpetua-chromium-");
            ProcessBuilder command = new ProcessBuilder("chromedriver", "--port=" + port)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            // The browser's own temporary directories go into the profile too, and leave with it.
            command.environment().put("TMPDIR", profile.toString());
            Process driver = command.start();
            try {
                return new HeadlessChromium(driver, port, profile);
            } catch (RuntimeException e) {
                driver.destroyForcibly();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start chromedriver (apt-get install chromium chromium-driver)", e);
        }
    }

    void open(String url) {
        send("POST", command("url"), Map.of("url", url));
    }

    /** Runs {@code script} (a function body) in the page and returns what it returns. */
    JsonNode run(String script) {
        return send("POST", command("execute/sync"), Map.of("script", script, "args", List.of())).path("value");
    }

    /** Saves what the browser shows as a PNG. */
    void screenshot(Path file) throws IOException {
        String png = send("GET", command("screenshot"), null).path("value").asString();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    private URI command(String name) {
        return URI.create(session + "/" + name);
    }

    /**
     * Ends the session (the driver quits the browser), stops the driver, then stops any browser
     * process still running on this profile (ours: the profile directory is unique to this
     * instance) before removing the profile.
     */
    @Override
    public void close() throws IOException {
        try {
            send("DELETE", session, null);
        } catch (RuntimeException e) {
            // The browser is gone already; what is left of it is stopped below.
        }
        driver.destroy();
        try {
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly().waitFor();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                browserProcesses().forEach(ProcessHandle::destroyForcibly);
                return browserProcesses().isEmpty();
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var paths = Files.walk(profile)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The browser's processes: those started with this instance's own profile directory. */
    private List<ProcessHandle> browserProcesses() {
        String marker = "--user-data-dir=" + profile;
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(arguments -> List.of(arguments).contains(marker)).orElse(false))
                .toList();
    }

    private JsonNode send(String method, URI uri, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("WebDriver " + method + " " + uri + " answered " + response.statusCode() + ": "
                        + answer.path("value").path("message").asString());
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.perpetua.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The daemon's REST API over the JDK's HTTP client. Answers are returned as JSON trees so that
 * {@code --output json} can print exactly what the daemon sent; errors become {@link CliException}s.
 */
final class ApiClient implements AutoCloseable {

    /** Request bodies leave out the fields the user did not give; answers may carry fields this CLI does not know. */
    static final JsonMapper JSON = JsonMapper.builder()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final String base;
    private final HttpClient http;

    ApiClient(URI base) {
        this.base = base.toString().replaceAll("/+$", "");
        // HTTP/1.1 explicitly: the default would try an h2c upgrade on every plain-text request.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /** {@code /v1/sandboxes/{id}} followed by {@code more}, with the id escaped. */
    static String sandboxPath(String id, String more) {
        return "/v1/sandboxes/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + more;
    }

    JsonNode get(String path) {
        return send(request(path).GET(), "GET", path);
    }

    /** POSTs {@code body} as JSON, or nothing when it is null. */
    JsonNode post(String path, Object body) {
        HttpRequest.Builder request = request(path);
        if (body == null) {
            request.POST(BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
        }
        return send(request, "POST", path);
    }

    void delete(String path) {
        send(request(path).DELETE(), "DELETE", path);
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "application/json")
                .header("User-Agent", "perpetua-cli/" + PerpetuaCli.VERSION);
    }

    private JsonNode send(HttpRequest.Builder request, String method, String path) {
        HttpResponse<String> response = exchange(request.build(), method, path);
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw error(status, response.body(), method, path);
        }
        if (response.body().isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new CliException("the daemon at " + base + " answered " + method + " " + path
                    + " with something other than JSON: " + e.getOriginalMessage(), e);
        }
    }

    private HttpResponse<String> exchange(HttpRequest request, String method, String path) {
        try {
            return http.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                    || e.getCause() instanceof ConnectException) {
                throw new CliException("cannot reach the daemon at " + base
                        + ": is it running? Start it with ./perpetua server", e);
            }
            throw new CliException(method + " " + base + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting for " + method + " " + base + path, e);
        }
    }

    /** The daemon's {@code {"error":{"code","message"}}} as {@code message (code)}; else the status. */
    private static CliException error(int status, String body, String method, String path) {
        JsonNode error;
        try {
            error = JSON.readTree(body).path("error");
        } catch (JacksonException e) {
            error = JSON.missingNode();
        }
        JsonNode message = error.path("message");
        if (!message.isString()) {
            return new CliException("the daemon answered " + method + " " + path + " with HTTP " + status);
        }
        return new CliException(message.stringValue() + " (" + error.path("code").asString("HTTP " + status) + ")");
    }
}

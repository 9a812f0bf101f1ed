package io.perpetua.server.e2b;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.ProjectId;
import io.perpetua.error.PerpetuaException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.server.api.HttpStatuses;
import io.perpetua.snapshot.SavedSnapshot;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * E2B's control plane (its REST API as the {@code e2b} SDK calls it), on the daemon's port:
 * create, get, list, kill, pause, connect and timeout, under {@code /sandboxes} and
 * {@code /v2/sandboxes}. The caller's {@code X-API-KEY} is a Perpetua API key, and sees its
 * project's sandboxes only. Errors are E2B's {@code {"code": status, "message": …}}.
 */
final class ControlPlaneRoutes {

    /** envd features the SDK unlocks by version: 0.5.7 has closeStdin and raw uploads, and no forced user. */
    static final String ENVD_VERSION = "0.5.7";
    private static final String CLIENT_ID = "perpetua";
    private static final int MAX_PAGE = 100;
    private static final long MAX_TIMEOUT_SECONDS = SandboxSpec.MAX_DURATION.toSeconds();
    private static final Set<String> STATES = Set.of("running", "paused");
    /** A fork's lifetime when the caller gives none, as E2B's. */
    private static final long FORK_TIMEOUT_SECONDS = 15;

    private final E2bSandboxes sandboxes;
    private final ApiKeys keys;
    private final SandboxTokens tokens;
    private final Supplier<String> domain;
    private final E2bMetrics metrics;
    private final JsonMapper json;

    /** @param domain the domain of the host names that reach sandboxes' ports */
    ControlPlaneRoutes(E2bSandboxes sandboxes, ApiKeys keys, SandboxTokens tokens, Supplier<String> domain, E2bMetrics metrics,
                       JsonMapper json) {
        this.sandboxes = sandboxes;
        this.keys = keys;
        this.tokens = tokens;
        this.domain = domain;
        this.metrics = metrics;
        this.json = json;
    }

    void register(JavalinConfig config) {
        config.routes.post("/sandboxes", e2b(this::create));
        config.routes.post("/v2/sandboxes", e2b(this::create));
        config.routes.get("/sandboxes", e2b(ctx -> list(ctx, false)));
        config.routes.get("/v2/sandboxes", e2b(ctx -> list(ctx, true)));
        config.routes.get("/sandboxes/{id}", e2b(this::get));
        config.routes.delete("/sandboxes/{id}", e2b(this::kill));
        config.routes.post("/sandboxes/{id}/pause", e2b(this::pause));
        config.routes.post("/sandboxes/{id}/resume", e2b(this::connect));
        config.routes.post("/sandboxes/{id}/connect", e2b(this::connect));
        config.routes.post("/v2/sandboxes/{id}/connect", e2b(this::connect));
        config.routes.post("/sandboxes/{id}/timeout", e2b(this::timeout));
        config.routes.get("/sandboxes/{id}/metrics", e2b(this::metrics));
        config.routes.post("/sandboxes/{id}/refreshes", e2b(this::refresh));
        config.routes.post("/sandboxes/{id}/snapshots", e2b(this::snapshot));
        config.routes.get("/snapshots", e2b(this::snapshots));
        config.routes.delete("/templates/{id}", e2b(this::deleteTemplate));
        config.routes.post("/sandboxes/{id}/fork", e2b(this::fork));
    }

    /** A control-plane route: its errors answered as E2B's. */
    private Handler e2b(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (E2bException e) {
                error(ctx, e.status(), e.getMessage());
            } catch (PerpetuaException e) {
                error(ctx, HttpStatuses.of(e), e.getMessage());
            }
        };
    }

    private void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(Map.of("code", status, "message", message)));
    }

    private ProjectId project(Context ctx) {
        String key = ctx.header("X-API-KEY");
        if (key == null || key.isBlank()) {
            throw new E2bException(401, "this call needs a Perpetua API key in the X-API-KEY header (E2B_API_KEY)");
        }
        return keys.authenticate(key).project();
    }

    private void create(Context ctx) {
        ProjectId project = project(ctx);
        JsonNode body = body(ctx);
        String templateId = text(body, "templateID", E2bSandboxes.BASE_TEMPLATE);
        long timeout = seconds(body, "timeout", E2bSandbox.DEFAULT_TIMEOUT_SECONDS);
        if (!body.path("volumeMounts").isMissingNode() && !body.path("volumeMounts").isNull() && !body.path("volumeMounts").isEmpty()) {
            throw E2bException.badRequest("volumeMounts are not supported yet");
        }
        SandboxSpec spec = new SandboxSpec(E2bSandboxes.perpetuaTemplate(templateId), null, null, strings(body, "envVars"),
                strings(body, "metadata"), null, null);
        boolean autoPause = bool(body, "autoPause");
        boolean autoResume = bool(body.path("autoResume"), "enabled");
        boolean publicTraffic = !body.path("network").has("allowPublicTraffic") || bool(body.path("network"), "allowPublicTraffic");
        E2bSandboxes.Entry created = sandboxes.create(project, spec, templateId, timeout, autoPause, autoResume, publicTraffic);
        ctx.status(201).contentType("application/json").result(json.writeValueAsString(handle(created)));
    }

    private void get(Context ctx) {
        E2bSandboxes.Entry entry = sandboxes.get(project(ctx), ctx.pathParam("id"));
        ctx.contentType("application/json").result(json.writeValueAsString(detail(entry, true)));
    }

    /**
     * The caller's sandboxes: all of them (v1: only running ones), filtered by {@code metadata}
     * ({@code k=v&k2=v2}, URL-encoded) and {@code state}; v2 pages by {@code limit} and
     * {@code nextToken}, giving the next page's token in {@code X-Next-Token}.
     */
    private void list(Context ctx, boolean paged) {
        ProjectId project = project(ctx);
        Map<String, String> metadata = metadataQuery(ctx.queryParam("metadata"));
        Set<String> states = paged ? states(ctx.queryParam("state")) : Set.of("running");
        List<E2bSandboxes.Entry> matching = sandboxes.list(project).stream()
                .filter(entry -> states.contains(state(entry)))
                .filter(entry -> entry.sandbox().spec().labels().entrySet().containsAll(metadata.entrySet()))
                .toList();
        if (paged) {
            int limit = limit(ctx.queryParam("limit"));
            int from = start(matching, ctx.queryParam("nextToken"));
            int to = Math.min(matching.size(), from + limit);
            if (to < matching.size()) {
                ctx.header("X-Next-Token", token(matching.get(to)));
            }
            matching = matching.subList(from, to);
        }
        ctx.contentType("application/json").result(json.writeValueAsString(matching.stream().map(entry -> detail(entry, false)).toList()));
    }

    /** The sandbox's metrics from {@code start} to {@code end} (Unix seconds, both optional), oldest first. */
    private void metrics(Context ctx) {
        E2bSandboxes.Entry entry = sandboxes.get(project(ctx), ctx.pathParam("id"));
        Instant start = unixSeconds(ctx, "start");
        Instant end = unixSeconds(ctx, "end");
        ctx.contentType("application/json").result(json.writeValueAsString(metrics.of(entry.sandbox(), start, end)));
    }

    private static Instant unixSeconds(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.strip().matches("\\d{1,12}")) {
            throw E2bException.badRequest(name + " must be a time in Unix seconds but was '" + value + "'");
        }
        return Instant.ofEpochSecond(Long.parseLong(value.strip()));
    }

    private void kill(Context ctx) {
        if (!sandboxes.kill(project(ctx), ctx.pathParam("id"))) {
            throw E2bException.notFound(ctx.pathParam("id"));
        }
        ctx.status(204);
    }

    private void pause(Context ctx) {
        if (!sandboxes.pause(project(ctx), ctx.pathParam("id"))) {
            throw new E2bException(409, "sandbox " + ctx.pathParam("id") + " is already paused");
        }
        ctx.status(204);
    }

    /** Resumes a paused sandbox (201) or extends a running one's lifetime (200); answers its handle. */
    private void connect(Context ctx) {
        ProjectId project = project(ctx);
        JsonNode body = body(ctx);
        Long timeout = body.has("timeout") && !body.path("timeout").isNull() ? seconds(body, "timeout", 0) : null;
        boolean resumed = sandboxes.connect(project, ctx.pathParam("id"), timeout);
        E2bSandboxes.Entry entry = sandboxes.get(project, ctx.pathParam("id"));
        ctx.status(resumed ? 201 : 200).contentType("application/json").result(json.writeValueAsString(handle(entry)));
    }

    private void timeout(Context ctx) {
        ProjectId project = project(ctx);
        JsonNode body = body(ctx);
        if (!body.has("timeout")) {
            throw E2bException.badRequest("timeout (seconds) is required");
        }
        sandboxes.setTimeout(project, ctx.pathParam("id"), seconds(body, "timeout", 0));
        ctx.status(204);
    }

    /** E2B's older keep-alive: a lifetime of {@code duration} seconds (default 60) from now. */
    private void refresh(Context ctx) {
        ProjectId project = project(ctx);
        sandboxes.setTimeout(project, ctx.pathParam("id"), seconds(body(ctx), "duration", 60));
        ctx.status(204);
    }

    /** E2B's createSnapshot: the sandbox saved whole, a snapshot that new sandboxes are made of by its id, as of a template. */
    private void snapshot(Context ctx) {
        ProjectId project = project(ctx);
        JsonNode body = body(ctx);
        String name = text(body, "name", null);
        if (name != null && (name.isBlank() || name.length() > SavedSnapshot.MAX_NAME_LENGTH)) {
            throw E2bException.badRequest("name must be 1 to " + SavedSnapshot.MAX_NAME_LENGTH + " characters");
        }
        SavedSnapshot saved = sandboxes.snapshot(project, ctx.pathParam("id"), name);
        ctx.status(201).contentType("application/json").result(json.writeValueAsString(snapshotInfo(saved)));
    }

    /** E2B's listSnapshots: every one of the caller's, of one sandbox ({@code sandboxID}) or by {@code name}, in one page. */
    private void snapshots(Context ctx) {
        List<Map<String, Object>> found = sandboxes.snapshots(project(ctx), ctx.queryParam("sandboxID"), ctx.queryParam("name")).stream()
                .map(ControlPlaneRoutes::snapshotInfo).toList();
        ctx.contentType("application/json").result(json.writeValueAsString(found));
    }

    private static Map<String, Object> snapshotInfo(SavedSnapshot saved) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("snapshotID", saved.id());
        info.put("names", saved.name() == null ? List.of(saved.id()) : List.of(saved.name()));
        return info;
    }

    /** E2B deletes snapshots (and templates) by their id: one of the caller's snapshots or templates. */
    private void deleteTemplate(Context ctx) {
        String id = ctx.pathParam("id");
        if (!sandboxes.deleteTemplate(project(ctx), id)) {
            throw new E2bException(404, "no snapshot or template '" + id + "'");
        }
        ctx.status(204);
    }

    /**
     * E2B's fork: the sandbox saved and {@code count} sandboxes made of it; one entry per fork,
     * its sandbox's handle or its error.
     */
    private void fork(Context ctx) {
        ProjectId project = project(ctx);
        JsonNode body = body(ctx);
        long count = seconds(body, "count", 1);
        if (count < 1 || count > SandboxService.MAX_FORKS) {
            throw E2bException.badRequest("count must be 1 to " + SandboxService.MAX_FORKS);
        }
        long timeout = seconds(body, "timeout", FORK_TIMEOUT_SECONDS);
        List<Map<String, Object>> results = new ArrayList<>();
        for (E2bSandboxes.Fork fork : sandboxes.fork(project, ctx.pathParam("id"), (int) count, timeout)) {
            results.add(fork.made() != null ? Map.of("sandbox", handle(fork.made()))
                    : Map.of("error", Map.of("code", fork.failure() instanceof PerpetuaException p ? HttpStatuses.of(p) : 500,
                            "message", String.valueOf(fork.failure().getMessage()))));
        }
        ctx.status(201).contentType("application/json").result(json.writeValueAsString(results));
    }

    /**
     * What create and connect answer: the sandbox's handle, with its envd token, the domain of
     * its host names, and the token its ports need by host name unless they are public.
     */
    private Map<String, Object> handle(E2bSandboxes.Entry entry) {
        Map<String, Object> handle = new LinkedHashMap<>();
        handle.put("sandboxID", entry.sandbox().id().value());
        handle.put("templateID", entry.e2b().templateId());
        handle.put("clientID", CLIENT_ID);
        handle.put("envdVersion", ENVD_VERSION);
        handle.put("envdAccessToken", tokens.envd(entry.sandbox().id()));
        handle.put("domain", domain.get());
        if (!entry.e2b().publicTraffic()) {
            handle.put("trafficAccessToken", tokens.traffic(entry.sandbox().id()));
        }
        return handle;
    }

    /** E2B's SandboxDetail (with its token) or ListedSandbox. */
    private Map<String, Object> detail(E2bSandboxes.Entry entry, boolean withToken) {
        Sandbox sandbox = entry.sandbox();
        E2bSandbox e2b = entry.e2b();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("sandboxID", sandbox.id().value());
        detail.put("templateID", e2b.templateId());
        detail.put("clientID", CLIENT_ID);
        detail.put("startedAt", sandbox.createdAt().toString());
        if (e2b.endAt() != null) {
            detail.put("endAt", e2b.endAt().toString());
        }
        detail.put("cpuCount", (int) Math.ceil(sandbox.spec().cpus()));
        detail.put("memoryMB", sandbox.spec().memoryMb());
        if (sandbox.spec().diskMb() != null) {
            detail.put("diskSizeMB", sandbox.spec().diskMb());
        }
        detail.put("metadata", sandbox.spec().labels());
        detail.put("state", state(entry));
        detail.put("envdVersion", ENVD_VERSION);
        detail.put("lifecycle", Map.of("onTimeout", e2b.autoPause() ? "pause" : "kill", "autoResume", e2b.autoResume()));
        detail.put("network", Map.of("allowPublicTraffic", e2b.publicTraffic()));
        detail.put("domain", domain.get());
        if (withToken) {
            detail.put("envdAccessToken", tokens.envd(sandbox.id()));
        }
        return detail;
    }

    /** E2B's state: paused, or running (which a Perpetua sandbox in standby is too: it wakes on the next request). */
    private static String state(E2bSandboxes.Entry entry) {
        return entry.e2b().paused() ? "paused" : "running";
    }

    private JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            return json.createObjectNode();
        }
        JsonNode body;
        try {
            body = json.readTree(text);
        } catch (JacksonException e) {
            throw E2bException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw E2bException.badRequest("the body must be a JSON object");
        }
        return body;
    }

    private static String text(JsonNode body, String field, String fallback) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isString() || value.asString().isBlank()) {
            throw E2bException.badRequest(field + " must be a non-empty string");
        }
        return value.asString();
    }

    private static long seconds(JsonNode body, String field, long fallback) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > MAX_TIMEOUT_SECONDS) {
            throw E2bException.badRequest(field + " must be a whole number of seconds from 0 to " + MAX_TIMEOUT_SECONDS);
        }
        return value.asLong();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw E2bException.badRequest(field + " must be true or false");
        }
        return value.asBoolean();
    }

    private static Map<String, String> strings(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw E2bException.badRequest(field + " must be an object of strings");
        }
        Map<String, String> strings = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isString()) {
                throw E2bException.badRequest(field + "." + entry.getKey() + " must be a string");
            }
            strings.put(entry.getKey(), entry.getValue().asString());
        }
        return strings;
    }

    /** The metadata filter: {@code k=v&k2=v2} whose keys and values were URL-encoded before the whole was. */
    private static Map<String, String> metadataQuery(String query) {
        if (query == null || query.isBlank()) {
            return Map.of();
        }
        Map<String, String> filter = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw E2bException.badRequest("metadata must be key=value pairs joined by '&' but has '" + pair + "'");
            }
            filter.put(decode(pair.substring(0, equals)), decode(pair.substring(equals + 1)));
        }
        return filter;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw E2bException.badRequest("metadata holds a malformed escape: " + text);
        }
    }

    private static Set<String> states(String query) {
        if (query == null || query.isBlank()) {
            return STATES;
        }
        Set<String> states = Arrays.stream(query.split(",")).map(String::strip).collect(Collectors.toSet());
        if (!STATES.containsAll(states)) {
            throw E2bException.badRequest("state must be running, paused or both (comma-separated) but was " + query);
        }
        return states;
    }

    private static int limit(String query) {
        if (query == null || query.isBlank()) {
            return MAX_PAGE;
        }
        if (!query.matches("\\d{1,4}") || Integer.parseInt(query) < 1 || Integer.parseInt(query) > MAX_PAGE) {
            throw E2bException.badRequest("limit must be a whole number from 1 to " + MAX_PAGE + " but was " + query);
        }
        return Integer.parseInt(query);
    }

    /**
     * A page token: where the page's first sandbox stands in the order of the list (its creation
     * time and id), so the next page starts right there even if that sandbox is deleted meanwhile.
     */
    private static String token(E2bSandboxes.Entry first) {
        String position = first.sandbox().createdAt() + "|" + first.sandbox().id().value();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.US_ASCII));
    }

    private static int start(List<E2bSandboxes.Entry> matching, String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        String[] position;
        Instant createdAt;
        try {
            position = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split("\\|", 2);
            createdAt = Instant.parse(position[0]);
        } catch (IllegalArgumentException | DateTimeParseException | ArrayIndexOutOfBoundsException e) {
            throw E2bException.badRequest("nextToken is not a token this API gave");
        }
        if (position.length != 2) {
            throw E2bException.badRequest("nextToken is not a token this API gave");
        }
        int from = 0;
        while (from < matching.size() && before(matching.get(from).sandbox(), createdAt, position[1])) {
            from++;
        }
        return from;
    }

    private static boolean before(Sandbox sandbox, Instant createdAt, String id) {
        int byTime = sandbox.createdAt().compareTo(createdAt);
        return byTime < 0 || byTime == 0 && sandbox.id().value().compareTo(id) < 0;
    }
}

package io.perpetua.server;

import io.perpetua.server.ApiDescription.Operation;
import io.perpetua.server.ApiDescription.Parameter;
import io.perpetua.server.FuzzValues.Junk;
import io.perpetua.server.JsonText.Change;
import io.perpetua.server.JsonText.Edit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Requests made from the API's OpenAPI document. For every operation: a valid request (its path
 * parameters naming real things, from {@link Fixtures}), then that request made wrong in one way
 * at a time, for every parameter, every body field and every kind of junk of {@link FuzzValues},
 * and whole bodies of {@code null}, {@code []}, {@code ""}, {@code 0} and worse. Random requests
 * make one operation's request wrong in several of those ways at once, and now and then in its
 * method, content type or key, or are not HTTP at all.
 */
final class OpenApiFuzzer {

    static final String VALID_REQUEST = "valid request";
    static final String RAW_REQUEST = "raw request";
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static final List<String> CONTENT_TYPES = List.of("text/plain", "application/octet-stream", "multipart/form-data; boundary=x",
            "application/json; charset=utf-16", "application/x-www-form-urlencoded", "");
    /** Headers some route treats apart: ones a proxy must not pass on, ones that make an answer a stream or CSV, and the like. */
    private static final List<List<String>> ODD_HEADERS = List.of(List.of("Via", "1.1 fuzz"), List.of("Date", "yesterday"),
            List.of("Origin", "null"), List.of("Referer", "javascript:alert(1)"), List.of("Warning", "199 - fuzz"),
            List.of("Expect", "100-continue"), List.of("Forwarded", "for=\"[::1]\""), List.of("Content-Encoding", "gzip"),
            List.of("Accept", "text/event-stream"), List.of("Accept", "text/csv"), List.of("Accept", "*/*;q=junk"),
            List.of("Accept-Encoding", "gzip, br"), List.of("Range", "bytes=5-1"), List.of("If-None-Match", "*"));

    /**
     * What the requests are aimed at.
     *
     * @param pathValues    real values of path parameters by name (a sandbox id, a process id, …), not encoded
     * @param authorization the Authorization header of every request
     * @param spared        operations ({@code DELETE /v1/sandboxes/{id}}) that would take the fixture sandbox
     *                      away: sent with {@code sparedId} in its place
     * @param sparedId      a well-formed sandbox id of no sandbox
     * @param foreignId     another project's sandbox, which every {@code id} is sometimes
     */
    record Fixtures(Map<String, String> pathValues, String authorization, Set<String> spared, String sparedId, String foreignId) {
    }

    /** One way to make a request wrong: its kind (for the report), what it changes, and the change. */
    private record Mutation(String kind, String detail, Consumer<Draft> change) {
    }

    private final ApiDescription api;
    private final Fixtures fixtures;
    private final Random random;
    private final Map<Operation, List<Mutation>> mutations = new LinkedHashMap<>();
    private final List<Operation> operations;

    OpenApiFuzzer(ApiDescription api, Fixtures fixtures, Random random) {
        this.api = api;
        this.fixtures = fixtures;
        this.random = random;
        for (Operation operation : api.operations()) {
            mutations.put(operation, mutationsOf(operation));
        }
        this.operations = List.copyOf(mutations.keySet());
    }

    /** How many operations the document has. */
    int operationCount() {
        return operations.size();
    }

    /** For every operation: its valid request, then that request made wrong in each way, one at a time. */
    List<FuzzCase> derived() {
        List<FuzzCase> cases = new ArrayList<>();
        mutations.forEach((operation, ways) -> {
            cases.add(new Draft(operation).build(""));
            for (Mutation way : ways) {
                cases.add(new Draft(operation).apply(way).build(""));
            }
        });
        return cases;
    }

    /** A request of a random operation made wrong in one to three ways, sometimes more; or one in no HTTP at all. */
    FuzzCase random() {
        if (random.nextInt(100) == 0) {
            return rawJunk();
        }
        Operation operation = operations.get(random.nextInt(operations.size()));
        Draft draft = new Draft(operation);
        List<Mutation> ways = mutations.get(operation);
        for (int i = ways.isEmpty() ? 0 : 1 + random.nextInt(3); i > 0; i--) {
            draft.apply(ways.get(random.nextInt(ways.size())));
        }
        if (random.nextInt(10) == 0) {
            String method = METHODS.get(random.nextInt(METHODS.size()));
            draft.apply(new Mutation("other method", method, d -> d.method = method));
        }
        if (random.nextInt(8) == 0) {
            String type = CONTENT_TYPES.get(random.nextInt(CONTENT_TYPES.size()));
            draft.apply(new Mutation("other content type", type, d -> d.headers.put("Content-Type", type)));
        }
        if (random.nextInt(8) == 0) {
            List<String> header = ODD_HEADERS.get(random.nextInt(ODD_HEADERS.size()));
            draft.apply(new Mutation("odd header", header.get(0) + ": " + header.get(1), d -> d.headers.put(header.get(0), header.get(1))));
        }
        if (random.nextInt(10) == 0) {
            draft.apply(bodyMutation(FuzzValues.randomBytes(random, random.nextInt(2048))));
        }
        if (random.nextInt(40) == 0) {
            String key = List.of("", "Bearer", "Bearer pk_forged", "Basic YTpi", fixtures.authorization() + "x").get(random.nextInt(5));
            draft.apply(new Mutation("bad key", "Authorization: " + key, d -> d.headers.put("Authorization", key)));
        }
        return draft.build("random: ");
    }

    /** Bytes that are barely HTTP: junk in the request line, the headers or the framing. */
    private FuzzCase rawJunk() {
        byte[] noise = new byte[1 + random.nextInt(200)];
        random.nextBytes(noise);
        Map<String, String> auth = Map.of("Authorization", fixtures.authorization());
        String proxied = "/v1/sandboxes/" + fixtures.pathValues().get("id") + "/ports/" + fixtures.pathValues().get("port") + "/";
        List<FuzzCase> junk = List.of(
                raw("a made-up method", "FUZZ", "/v1/sandboxes", auth),
                raw("a space in the target", "GET", "/v1/sandboxes/a b", auth),
                raw("a NUL byte in the target", "GET", "/v1/sandboxes/\0", auth),
                raw("a line break in the target", "GET", "/v1/sandboxes\r\nX-Injected: 1", auth),
                raw("raw bytes in the target", "GET", "/v1/sandboxes/\u00ff\u00fe\u0080", auth),
                raw("an empty target", "GET", "", auth),
                raw("an asterisk target", "OPTIONS", "*", auth),
                raw("a header of 20,000 characters", "GET", "/v1/sandboxes", Map.of("Authorization", fixtures.authorization(),
                        "X-Fuzz", "x".repeat(20_000))),
                raw("a header name with a space", "GET", "/v1/sandboxes", Map.of("Bad Name", "1", "Authorization", fixtures.authorization())),
                raw("a control character in a header to the proxy", "GET", proxied, Map.of("X-Fuzz", "a\u0001b", "Authorization", fixtures.authorization())),
                raw("DEL in a header to the proxy", "GET", proxied, Map.of("X-Fuzz", "a\u007fb", "Authorization", fixtures.authorization())),
                raw("Latin-1 in a header to the proxy", "GET", proxied, Map.of("X-Fuzz", "\u00fc\u00ff", "Authorization", fixtures.authorization())),
                raw("random bytes for a method", new String(noise, StandardCharsets.ISO_8859_1), "/", Map.of()));
        return junk.get(random.nextInt(junk.size()));
    }

    private static FuzzCase raw(String detail, String method, String target, Map<String, String> headers) {
        return new FuzzCase(List.of(RAW_REQUEST), detail, method, target, headers, null);
    }

    private List<Mutation> mutationsOf(Operation operation) {
        List<Mutation> ways = new ArrayList<>();
        for (Parameter parameter : operation.parameters()) {
            switch (parameter.in()) {
                case "path" -> pathMutations(parameter, ways);
                case "query" -> queryMutations(parameter, ways);
                case "header" -> headerMutations(parameter, ways);
                default -> throw new IllegalStateException(operation.name() + " has a parameter in " + parameter.in());
            }
        }
        if (operation.takesBody()) {
            (operation.takesJson() ? FuzzValues.bodies(random) : FuzzValues.fileBodies(random)).forEach(body -> ways.add(bodyMutation(body)));
        }
        if (operation.takesJson()) {
            JsonNode base = api.validValue(operation.bodySchema());
            for (FieldPath field : api.fields(operation.bodySchema())) {
                fieldMutations(operation, base, field, ways);
            }
        }
        return ways;
    }

    private static Mutation bodyMutation(Junk body) {
        return new Mutation(body.kind(), body.label(), d -> d.body = body.text());
    }

    private void pathMutations(Parameter parameter, List<Mutation> ways) {
        for (Junk junk : FuzzValues.parameterValues(api.types(parameter.schema()))) {
            ways.add(new Mutation("parameter " + junk.kind(), "{" + parameter.name() + "} = " + junk.label(),
                    d -> d.pathValues.put(parameter.name(), junk.latin1())));
        }
        if (parameter.name().equals("id")) {
            ways.add(new Mutation("parameter another project's", "{id} = another project's sandbox",
                    d -> d.pathValues.put("id", fixtures.foreignId())));
        }
    }

    private void queryMutations(Parameter parameter, List<Mutation> ways) {
        String name = parameter.name();
        for (Junk junk : FuzzValues.parameterValues(api.types(parameter.schema()))) {
            ways.add(new Mutation("parameter " + junk.kind(), "?" + name + "=" + junk.label(), d -> d.query(name, junk.latin1())));
        }
        String valid = validParameter(parameter);
        if (parameter.required()) {
            ways.add(new Mutation("parameter " + FuzzValues.MISSING, "no ?" + name, d -> d.query.remove(name)));
        } else {
            ways.add(new Mutation("parameter " + FuzzValues.VALID, "?" + name + "=" + valid, d -> d.query(name, valid)));
        }
        ways.add(new Mutation("parameter " + FuzzValues.DUPLICATE, "?" + name + " twice", d -> {
            d.query(name, valid);
            d.query.get(name).add("-1");
        }));
    }

    private void headerMutations(Parameter parameter, List<Mutation> ways) {
        for (Junk junk : FuzzValues.headerValues()) {
            ways.add(new Mutation("header " + junk.kind(), parameter.name() + ": " + junk.label(),
                    d -> d.headers.put(parameter.name(), junk.latin1())));
        }
        String valid = validParameter(parameter);
        ways.add(new Mutation("header " + FuzzValues.VALID, parameter.name() + ": " + valid, d -> d.headers.put(parameter.name(), valid)));
    }

    private void fieldMutations(Operation operation, JsonNode base, FieldPath field, List<Mutation> ways) {
        JsonNode schema = api.schemaAt(operation.bodySchema(), field);
        for (Junk junk : FuzzValues.jsonValues(api.types(schema))) {
            ways.add(new Mutation("field " + junk.kind(), field + " = " + junk.label(), d -> d.edit(field, Change.REPLACE, junk.text())));
        }
        if (present(base, field)) {
            ways.add(new Mutation("field " + FuzzValues.MISSING, "no " + field, d -> d.edit(field, Change.REMOVE, null)));
        } else {
            ways.add(new Mutation("field " + FuzzValues.VALID, field + " valid", d -> d.materialize(field)));
        }
        if (field.segments().getLast() instanceof String) {
            byte[] nullText = "null".getBytes(StandardCharsets.US_ASCII);
            byte[] arrayText = "[]".getBytes(StandardCharsets.US_ASCII);
            ways.add(new Mutation("field duplicate key", field + " twice, null first", d -> d.edit(field, Change.DUPLICATE_FIRST, nullText)));
            ways.add(new Mutation("field duplicate key", field + " twice, [] last", d -> d.edit(field, Change.DUPLICATE_LAST, arrayText)));
        }
    }

    private static boolean present(JsonNode body, FieldPath field) {
        JsonNode node = body;
        for (Object segment : field.segments()) {
            node = segment instanceof Integer index ? node.path(index) : node.path((String) segment);
        }
        return !node.isMissingNode();
    }

    /** A parameter's valid value, percent-encoded: a fixture's for a path parameter that names one, else the document's. */
    private String validParameter(Parameter parameter) {
        String fixture = parameter.in().equals("path") ? fixtures.pathValues().get(parameter.name()) : null;
        if (fixture != null) {
            return FuzzValues.encode(fixture);
        }
        JsonNode value = api.validValue(parameter.schema());
        return FuzzValues.encode(value.isString() ? value.asString() : value.toString());
    }

    /** A request being put together: it starts valid, and mutations make it wrong. */
    private final class Draft {
        private final Operation operation;
        private String method;
        private final Map<String, String> pathValues = new LinkedHashMap<>();
        private final Map<String, List<String>> query = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final JsonNode tree;
        private final Map<FieldPath, Edit> edits = new LinkedHashMap<>();
        /** The body when it is not the JSON tree: an upload's bytes, or junk. */
        private byte[] body;
        private final Set<String> kinds = new LinkedHashSet<>();
        private final List<String> details = new ArrayList<>();

        Draft(Operation operation) {
            this.operation = operation;
            this.method = operation.method();
            for (Parameter parameter : operation.parameters()) {
                switch (parameter.in()) {
                    case "path" -> pathValues.put(parameter.name(), validParameter(parameter));
                    case "query" -> {
                        if (parameter.required()) {
                            query(parameter.name(), validParameter(parameter));
                        }
                    }
                    default -> {
                        // Headers are optional: a request is valid without them.
                    }
                }
            }
            headers.put("Authorization", fixtures.authorization());
            if (operation.takesBody()) {
                headers.put("Content-Type", operation.bodyType());
            }
            tree = operation.takesJson() ? api.validValue(operation.bodySchema()) : null;
            body = operation.takesBody() && !operation.takesJson() ? "fuzz file\n".getBytes(StandardCharsets.UTF_8) : null;
        }

        Draft apply(Mutation mutation) {
            mutation.change().accept(this);
            kinds.add(mutation.kind());
            details.add(mutation.detail());
            return this;
        }

        void query(String name, String value) {
            query.put(name, new ArrayList<>(List.of(value)));
        }

        void materialize(FieldPath field) {
            api.materialize(tree, operation.bodySchema(), field);
        }

        void edit(FieldPath field, Change change, byte[] text) {
            materialize(field);
            edits.put(field, new Edit(change, text));
        }

        FuzzCase build(String prefix) {
            // Whatever made it so, a changed method included, a request that would take the fixture away names no sandbox.
            String fixture = FuzzValues.encode(fixtures.pathValues().get("id"));
            if (fixtures.spared().contains(method + " " + operation.path()) && fixture.equals(pathValues.get("id"))) {
                pathValues.put("id", fixtures.sparedId());
            }
            String path = operation.path();
            for (Map.Entry<String, String> value : pathValues.entrySet()) {
                path = path.replace("{" + value.getKey() + "}", value.getValue());
            }
            String queryString = query.entrySet().stream()
                    .flatMap(parameter -> parameter.getValue().stream().map(value -> parameter.getKey() + "=" + value))
                    .collect(Collectors.joining("&"));
            byte[] sent = body != null ? body : tree != null ? JsonText.write(tree, edits) : null;
            List<String> kindsSent = kinds.isEmpty() ? List.of(VALID_REQUEST) : List.copyOf(kinds);
            String detail = prefix + operation.name() + (details.isEmpty() ? "" : ": " + String.join("; ", details));
            return new FuzzCase(kindsSent, detail, method, queryString.isEmpty() ? path : path + "?" + queryString, headers, sent);
        }
    }
}

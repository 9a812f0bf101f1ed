package io.perpetua.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the fuzzer got back: answers counted by status, by error code and by the kind of request,
 * and every answer that breaks the API's promises: a 5xx, an error that is not
 * {@code {"error": {"code", "message", "field"?}}}, an answer cut off or missing.
 */
final class FuzzTally {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final Map<String, Integer> errorCodes = new TreeMap<>();
    private final Map<String, Map<String, Integer>> byKind = new TreeMap<>();
    /** Broken promises by what was broken and the kinds of request that broke it, each with its first example. */
    private final Map<String, Failure> failures = new LinkedHashMap<>();
    private int streams;
    private int requests;

    /** One way the daemon broke a promise: how often, and the first request that showed it. */
    private static final class Failure {
        private final String example;
        private int count;

        Failure(String example) {
            this.example = example;
        }
    }

    void record(FuzzCase sent, RawHttp.Answer answer) {
        requests++;
        String outcome = answer.problem() != null ? "no answer" : Integer.toString(answer.status());
        if (answer.problem() == null) {
            statuses.merge(answer.status(), 1, Integer::sum);
        }
        if (answer.stream()) {
            streams++;
        }
        for (String kind : sent.kinds()) {
            byKind.computeIfAbsent(kind, k -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
        }
        String problem = problem(sent, answer);
        if (problem != null) {
            String key = String.join(", ", sent.kinds()) + ": " + problem.replaceAll("sb[a-z2-7]{14}|pr[a-z2-7]{14}|\\d+\\.\\d+\\.\\d+\\.\\d+", "…");
            failures.computeIfAbsent(key, k -> new Failure(sent.describe() + " -> " + problem)).count++;
        }
    }

    /** What is wrong with the answer, or null if nothing is; an error code found is counted. */
    private String problem(FuzzCase sent, RawHttp.Answer answer) {
        if (answer.problem() != null) {
            return answer.problem();
        }
        if (answer.status() < 400 || sent.isHead()) {
            return answer.status() >= 500 ? "answered " + answer.status() : null;
        }
        String shape = errorShape(answer);
        if (answer.status() >= 500) {
            return "answered " + answer.status() + " " + abbreviate(answer.text());
        }
        return shape;
    }

    /** Checks the body of an error answer and counts its code; returns what is wrong with it, or null. */
    private String errorShape(RawHttp.Answer answer) {
        JsonNode error;
        try {
            error = JSON.readTree(answer.body()).path("error");
        } catch (JacksonException e) {
            return "an error answer that is not JSON: " + answer.status() + " " + abbreviate(answer.text());
        }
        String code = error.path("code").isString() ? error.path("code").asString() : "";
        errorCodes.merge(code.isBlank() ? "(none)" : code, 1, Integer::sum);
        if (!answer.header("Content-Type").startsWith("application/json")) {
            return "an error answer of Content-Type '" + answer.header("Content-Type") + "'";
        }
        boolean hasMessage = error.path("message").isString() && !error.path("message").asString().isBlank();
        boolean fieldIsText = error.path("field").isMissingNode() || error.path("field").isString();
        if (code.isBlank() || !hasMessage || !fieldIsText) {
            return "not the API's error shape: " + answer.status() + " " + abbreviate(answer.text());
        }
        return null;
    }

    /** Each way an answer broke a promise, with how often and the first request that showed it. */
    List<String> failures() {
        return failures.values().stream().map(failure -> failure.count + " × " + failure.example).toList();
    }

    int failureCount() {
        return failures.values().stream().mapToInt(failure -> failure.count).sum();
    }

    int count(String kind) {
        return byKind.getOrDefault(kind, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The histograms, for people: status × count, error code × count, kind of request × count and its answers. */
    String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("  %-8s %8s%n", "status", "answers"));
        statuses.forEach((status, count) -> out.append(String.format("  %-8d %8d%n", status, count)));
        out.append(String.format("  (%d of the 200s were event streams, left after their headers)%n", streams));
        out.append(String.format("%n  %-28s %8s%n", "error code", "answers"));
        errorCodes.forEach((code, count) -> out.append(String.format("  %-28s %8d%n", code, count)));
        out.append(String.format("%n  %-28s %8s   %s%n", "kind of request", "sent", "answers (a request may be of several kinds)"));
        byKind.forEach((kind, outcomes) -> out.append(String.format("  %-28s %8d   %s%n", kind, count(kind),
                outcomes.entrySet().stream().map(e -> e.getKey() + " × " + e.getValue()).collect(Collectors.joining(", ")))));
        out.append(String.format("%n  %d of %d answers broke a promise (5xx, not the JSON error shape, cut off or missing)%n",
                failureCount(), requests));
        return out.toString();
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}

package io.perpetua.server;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What the fuzzer puts where the API expects something else, sorted by what is wrong with it
 * (the kinds the report counts requests by): JSON values for body fields, whole bodies, and
 * values for query, path and header parameters.
 */
final class FuzzValues {

    static final String NULL = "null";
    static final String MISSING = "missing";
    static final String EMPTY = "empty";
    static final String WRONG_TYPE = "wrong type";
    static final String HUGE = "huge";
    static final String NEGATIVE = "negative";
    static final String UNICODE = "unicode";
    static final String NESTED = "nested junk";
    static final String TRAVERSAL = "traversal";
    static final String BAD_ESCAPE = "bad escape";
    static final String DUPLICATE = "duplicate";
    static final String VALID = "valid";
    static final String RANDOM_BYTES = "random bytes";

    /** One value of each JSON type, as {type, text}: the wrong type for a field of any other. */
    private static final List<List<String>> ONE_OF_EACH_TYPE = List.of(List.of("string", "\"fuzz value\""), List.of("integer", "1"),
            List.of("number", "1.5"), List.of("boolean", "true"), List.of("array", "[]"), List.of("object", "{}"));

    /** A wrong value: what kind of wrong (for the report), a short label (for a failure's message) and its text. */
    record Junk(String kind, String label, byte[] text) {

        static Junk of(String kind, String text) {
            return new Junk(kind, text.length() > 40 ? text.substring(0, 40) + "… (" + text.length() + " characters)" : text,
                    text.getBytes(StandardCharsets.UTF_8));
        }

        static Junk of(String kind, String label, byte[] text) {
            return new Junk(kind, label, text);
        }

        /** The text as a string whose characters are its bytes, for a request line or a header. */
        String latin1() {
            return new String(text, StandardCharsets.ISO_8859_1);
        }
    }

    private FuzzValues() {
    }

    /** JSON values to put in place of a field's value whose schema allows {@code types}. */
    static List<Junk> jsonValues(Set<String> types) {
        List<Junk> junk = new ArrayList<>();
        junk.add(Junk.of(NULL, "null"));
        for (List<String> sample : ONE_OF_EACH_TYPE) {
            if (!types.isEmpty() && !accepts(types, sample.get(0))) {
                junk.add(Junk.of(WRONG_TYPE, sample.get(1)));
            }
        }
        if (types.contains("string")) {
            junk.add(Junk.of(EMPTY, "\"\""));
            junk.add(Junk.of(HUGE, quote("y".repeat(100_000))));
            junk.addAll(unicodeStrings());
        } else {
            junk.add(Junk.of(UNICODE, "\"\\ud800\""));
        }
        if (types.contains("integer") || types.contains("number")) {
            junk.addAll(hugeAndNegativeNumbers());
        }
        if (types.contains("array")) {
            junk.add(Junk.of(HUGE, "[" + IntStream.range(0, 5000).mapToObj(i -> "\"fuzz value\"").collect(Collectors.joining(",")) + "]"));
            junk.add(Junk.of(NESTED, "[null]"));
            junk.add(Junk.of(NESTED, "[[]]"));
            junk.add(Junk.of(NESTED, "[{}]"));
        }
        if (types.contains("object")) {
            junk.add(Junk.of(HUGE, "{" + IntStream.range(0, 5000).mapToObj(i -> "\"K" + i + "\":\"v\"").collect(Collectors.joining(",")) + "}"));
            junk.add(Junk.of(NESTED, "{\"a\":{\"b\":[null]}}"));
        }
        junk.addAll(deepNesting());
        return junk;
    }

    private static boolean accepts(Set<String> types, String type) {
        return types.contains(type) || type.equals("integer") && types.contains("number");
    }

    private static List<Junk> unicodeStrings() {
        return List.of(
                Junk.of(UNICODE, quote("ünïcødé ☃ 𝄞 中文 🦀")),
                Junk.of(UNICODE, "\"\\u0000\""),
                Junk.of(UNICODE, "\"a\\u0000b\""),
                Junk.of(UNICODE, "\"\\ud800\""),
                Junk.of(UNICODE, "\"\\udfff\\ud800\""),
                Junk.of(UNICODE, "\"\\u202e\\ufeff\\u0007\\u001b[31m\""),
                Junk.of(UNICODE, "invalid UTF-8 (C3 28)", bytes('"', 0xC3, 0x28, '"')),
                Junk.of(UNICODE, "a surrogate in UTF-8 (ED A0 80)", bytes('"', 0xED, 0xA0, 0x80, '"')),
                Junk.of(UNICODE, "an overlong '/' (C0 AF)", bytes('"', 0xC0, 0xAF, '"')),
                Junk.of(UNICODE, "a raw NUL byte", bytes('"', 'a', 0x00, 'b', '"')));
    }

    private static List<Junk> hugeAndNegativeNumbers() {
        return List.of(
                Junk.of(HUGE, "1e308"),
                Junk.of(HUGE, "1e99999"),
                Junk.of(HUGE, "99999999999999999999999999999"),
                Junk.of(HUGE, "9223372036854775808"),
                Junk.of(HUGE, "2147483648"),
                Junk.of(HUGE, "1" + "0".repeat(1500)),
                Junk.of(NEGATIVE, "-1"),
                Junk.of(NEGATIVE, "-0.5"),
                Junk.of(NEGATIVE, "-9223372036854775809"),
                Junk.of(NEGATIVE, "-1e308"),
                Junk.of(NEGATIVE, "0"),
                Junk.of(NEGATIVE, "-0"));
    }

    private static List<Junk> deepNesting() {
        return List.of(
                Junk.of(NESTED, "[".repeat(10_000) + "]".repeat(10_000)),
                Junk.of(NESTED, "{\"a\":".repeat(5_000) + "null" + "}".repeat(5_000)),
                Junk.of(NESTED, "[".repeat(100_000)),
                Junk.of(NESTED, "{\"a\":[1,{\"b\":null}],\"c\":\"\\u0000\"}"));
    }

    /** Whole request bodies that are anything but the object an operation wants. */
    static List<Junk> bodies(Random random) {
        List<Junk> bodies = new ArrayList<>(fileBodies(random));
        bodies.addAll(List.of(
                Junk.of("body junk", "false"), Junk.of("body junk", "-1"), Junk.of("body junk", "1.5"), Junk.of("body junk", "1e99999"),
                Junk.of("body junk", "\"\\u0000\""), Junk.of("body junk", "[null]"), Junk.of("body junk", "[{}]"),
                Junk.of("body junk", " \t\r\n "), Junk.of("body junk", "{}{}"), Junk.of("body junk", "{} x"), Junk.of("body junk", "{"),
                Junk.of("body junk", "}"), Junk.of("body junk", "{\"a\":}"), Junk.of("body junk", "{'a':1}"), Junk.of("body junk", "NaN"),
                Junk.of("body junk", "/* a comment */ {}"), Junk.of("body junk", "{\"\":null}"), Junk.of("body junk", "{\"a\":1,\"a\":2}"),
                Junk.of("body junk", "a byte order mark, then {}", bytes(0xEF, 0xBB, 0xBF, '{', '}')),
                Junk.of("body junk", "{} in UTF-16", bytes(0xFF, 0xFE, '{', 0, '}', 0)),
                Junk.of("body junk", "a string of 2 MiB", ("\"" + "y".repeat(2 * 1024 * 1024) + "\"").getBytes(StandardCharsets.UTF_8))));
        deepNesting().forEach(nested -> bodies.add(Junk.of("body " + NESTED, nested.label(), nested.text())));
        bodies.add(randomBytes(random, 1));
        bodies.add(randomBytes(random, 4096));
        return bodies;
    }

    /**
     * The bodies that are no JSON object, for an operation that takes any bytes (a file's): each
     * is a file to write, so there are few of them.
     */
    static List<Junk> fileBodies(Random random) {
        return List.of(body("null"), body("[]"), body("\"\""), body("0"), body("true"), body("{}"), Junk.of("body empty", ""),
                randomBytes(random, 64));
    }

    private static Junk body(String text) {
        return Junk.of("body " + text, text);
    }

    static Junk randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return Junk.of("body " + RANDOM_BYTES, length + " random bytes", bytes);
    }

    /** Values, already percent-encoded, to put in place of a query or path parameter's. */
    static List<Junk> parameterValues(Set<String> types) {
        List<Junk> junk = new ArrayList<>(List.of(Junk.of(EMPTY, ""), Junk.of(NULL, "null")));
        if (types.contains("integer") || types.contains("number")) {
            for (String wrong : List.of("abc", "true", "[]", "0x10", "NaN", "Infinity", " 1 ", "1,5")) {
                junk.add(Junk.of(WRONG_TYPE, encode(wrong)));
            }
            if (types.contains("integer")) {
                junk.add(Junk.of(WRONG_TYPE, "1.5"));
                junk.add(Junk.of(WRONG_TYPE, "1e3"));
            }
        }
        if (types.contains("boolean")) {
            for (String wrong : List.of("yes", "1", "TRUE", "tru")) {
                junk.add(Junk.of(WRONG_TYPE, wrong));
            }
        }
        for (String huge : List.of("9".repeat(40), "1e308", "2147483648", "9223372036854775808", "x".repeat(4000))) {
            junk.add(Junk.of(HUGE, huge));
        }
        for (String negative : List.of("-1", "-0", "-9223372036854775809")) {
            junk.add(Junk.of(NEGATIVE, negative));
        }
        for (String unicode : List.of(encode("ünïcødé ☃ 𝄞"), "%00", "a%00b", "%ED%A0%80", "%C3%28", "%FF%FE", "%E2%80%AE", "%0D%0AX-Injected:%201")) {
            junk.add(Junk.of(UNICODE, unicode));
        }
        for (String nested : List.of("{\"a\":[1,{\"b\":null}]}", "[[[[[[[[", "a=b&c")) {
            junk.add(Junk.of(NESTED, encode(nested)));
        }
        for (String traversal : List.of("../../../../etc/passwd", "/root/fuzz/../../../etc/hostname")) {
            junk.add(Junk.of(TRAVERSAL, encode(traversal)));
        }
        junk.add(Junk.of(TRAVERSAL, "..%2F..%2F..%2Fetc%2Fpasswd"));
        junk.add(Junk.of(TRAVERSAL, "%2e%2e"));
        for (String badEscape : List.of("%", "%zz", "%u0041", "100%")) {
            junk.add(Junk.of(BAD_ESCAPE, badEscape));
        }
        return junk;
    }

    /** Values for a header: what HTTP lets a header hold, which is less than a URL can. */
    static List<Junk> headerValues() {
        List<Junk> junk = new ArrayList<>(List.of(Junk.of(EMPTY, ""), Junk.of(NULL, "null"), Junk.of(WRONG_TYPE, "abc"),
                Junk.of(WRONG_TYPE, "1.5"), Junk.of(WRONG_TYPE, " 7 "), Junk.of(WRONG_TYPE, "0x10"), Junk.of(NEGATIVE, "-1"),
                Junk.of(NEGATIVE, "-9223372036854775809"), Junk.of(HUGE, "9".repeat(40)), Junk.of(HUGE, "x".repeat(4000))));
        junk.add(Junk.of(UNICODE, "Latin-1 bytes (FC FF)", bytes('1', 0xFC, 0xFF)));
        return junk;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String quote(String value) {
        return "\"" + value + "\"";
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}

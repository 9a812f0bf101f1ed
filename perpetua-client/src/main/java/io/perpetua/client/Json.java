package io.perpetua.client;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SDK's own JSON codec (RFC 8259), so that it needs nothing but the JDK. Values are
 * {@code Map<String, Object>} (in document order), {@code List<Object>}, {@code String},
 * {@code Long} (or {@code BigInteger} beyond a long) for integers, {@code Double} for other
 * numbers, {@code Boolean} and {@code null}. Parsing is strict: anything malformed is rejected
 * with an {@link IllegalArgumentException} that says what was wrong and where.
 */
final class Json {

    /** Deeper input is rejected rather than risking the parser's stack. */
    static final int MAX_DEPTH = 512;

    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value, with nothing but whitespace around it. */
    static Object parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("malformed JSON: there is no text (null)");
        }
        Json parser = new Json(text);
        parser.skipWhitespace();
        Object value = parser.value(0);
        parser.skipWhitespace();
        if (parser.at < text.length()) {
            throw parser.malformed("unexpected " + parser.describeNext() + " after the value");
        }
        return value;
    }

    /** Writes {@code value} as compact JSON; see the class comment for the types it takes. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw malformed("values nested deeper than " + MAX_DEPTH + " levels");
        }
        if (at >= text.length()) {
            throw malformed("unexpected end of input, expected a value");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || isDigit(c)) {
                    yield number();
                }
                throw malformed("unexpected " + describeNext() + ", expected a value");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        at++;
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (consume('}')) {
            return object;
        }
        do {
            skipWhitespace();
            if (at >= text.length() || text.charAt(at) != '"') {
                throw malformed("unexpected " + describeNext() + ", expected a string as the key");
            }
            String key = string();
            skipWhitespace();
            expect(':', "after the key \"" + key + "\"");
            skipWhitespace();
            if (object.containsKey(key)) {
                throw malformed("the key \"" + key + "\" appears twice in one object");
            }
            object.put(key, value(depth + 1));
            skipWhitespace();
        } while (consume(','));
        expect('}', "or ',' in an object");
        return object;
    }

    private List<Object> array(int depth) {
        at++;
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (consume(']')) {
            return array;
        }
        do {
            skipWhitespace();
            array.add(value(depth + 1));
            skipWhitespace();
        } while (consume(','));
        expect(']', "or ',' in an array");
        return array;
    }

    private String string() {
        int opening = at++;
        StringBuilder out = new StringBuilder();
        while (true) {
            int plain = at;
            while (at < text.length() && isPlain(text.charAt(at))) {
                at++;
            }
            out.append(text, plain, at);
            if (at >= text.length()) {
                throw malformedAt(opening, "unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                escape(out);
            } else {
                throw malformedAt(at - 1, String.format("control character U+%04X must be escaped in a string", (int) c));
            }
        }
    }

    private static boolean isPlain(char c) {
        return c != '"' && c != '\\' && c >= 0x20;
    }

    private void escape(StringBuilder out) {
        if (at >= text.length()) {
            throw malformed("unterminated escape sequence");
        }
        char c = text.charAt(at++);
        switch (c) {
            case '"', '\\', '/' -> out.append(c);
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> out.append(unicodeEscape());
            default -> throw malformedAt(at - 2, "invalid escape sequence \\" + c);
        }
    }

    private char unicodeEscape() {
        if (at + 4 > text.length()) {
            throw malformedAt(at - 2, "\\u must be followed by four hex digits");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at + i), 16);
            if (digit < 0) {
                throw malformedAt(at - 2, "\\u must be followed by four hex digits but was \\u" + text.substring(at, at + 4));
            }
            value = value * 16 + digit;
        }
        at += 4;
        return (char) value;
    }

    private Object number() {
        int start = at;
        consume('-');
        if (consume('0')) {
            if (at < text.length() && isDigit(text.charAt(at))) {
                throw malformedAt(start, "numbers must not have leading zeros");
            }
        } else {
            digits("a digit");
        }
        boolean integral = true;
        if (consume('.')) {
            integral = false;
            digits("a digit after the decimal point");
        }
        if (consume('e') || consume('E')) {
            integral = false;
            if (!consume('+')) {
                consume('-');
            }
            digits("a digit in the exponent");
        }
        String literal = text.substring(start, at);
        return integral ? integer(literal) : decimal(literal, start);
    }

    private static Object integer(String literal) {
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            return new BigInteger(literal);
        }
    }

    private Double decimal(String literal, int start) {
        double value = Double.parseDouble(literal);
        if (Double.isInfinite(value)) {
            throw malformedAt(start, "the number " + literal + " is too large");
        }
        return value;
    }

    private void digits(String expected) {
        int start = at;
        while (at < text.length() && isDigit(text.charAt(at))) {
            at++;
        }
        if (at == start) {
            throw malformed("unexpected " + describeNext() + ", expected " + expected);
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw malformed("unexpected " + describeNext() + ", expected a value");
        }
        at += word.length();
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private boolean consume(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c, String context) {
        if (!consume(c)) {
            throw malformed("unexpected " + describeNext() + ", expected '" + c + "' " + context);
        }
    }

    private String describeNext() {
        if (at >= text.length()) {
            return "end of input";
        }
        char c = text.charAt(at);
        return c < 0x20 || c == 0x7f ? String.format("character U+%04X", (int) c) : "'" + c + "'";
    }

    private IllegalArgumentException malformed(String problem) {
        return malformedAt(at, problem);
    }

    private IllegalArgumentException malformedAt(int position, String problem) {
        return new IllegalArgumentException("malformed JSON at character " + (position + 1) + ": " + problem);
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String string -> quote(string, out);
            case Boolean bool -> out.append(bool);
            case Double number -> out.append(finite(number));
            case Float number -> out.append(finite(number.doubleValue()));
            case Number number -> out.append(number);
            case Map<?, ?> object -> writeObject(object, out);
            case Collection<?> array -> writeArray(array, out);
            default -> throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static double finite(double number) {
        if (!Double.isFinite(number)) {
            throw new IllegalArgumentException("JSON has no " + number + ": numbers must be finite");
        }
        return number;
    }

    private static void writeObject(Map<?, ?> object, StringBuilder out) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> field : object.entrySet()) {
            if (!(field.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys must be strings but one was " + field.getKey());
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            quote(key, out);
            out.append(':');
            write(field.getValue(), out);
        }
        out.append('}');
    }

    private static void writeArray(Collection<?> array, StringBuilder out) {
        out.append('[');
        boolean first = true;
        for (Object element : array) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(element, out);
        }
        out.append(']');
    }

    /**
     * Writes a string literal. Control characters and lone surrogates (which UTF-8 cannot carry)
     * are escaped; everything else is written as itself.
     */
    static void quote(String string, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < string.length(); i++) {
            char c = string.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || isLoneSurrogate(string, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isLoneSurrogate(String string, int i) {
        char c = string.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= string.length() || !Character.isLowSurrogate(string.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(string.charAt(i - 1)));
    }
}

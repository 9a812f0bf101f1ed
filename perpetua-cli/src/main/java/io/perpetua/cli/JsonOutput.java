package io.perpetua.cli;

import java.util.Collection;
import java.util.Map;

/**
 * JSON as {@code --output json} prints it: indented by two spaces, in the order of the maps
 * given (the API's own order, see {@link JsonViews}), or on one line for streams of events.
 */
final class JsonOutput {

    private static final String INDENT = "  ";

    private JsonOutput() {
    }

    static String pretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "\n");
        return out.toString();
    }

    static String line(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, null);
        return out.toString();
    }

    /** {@code newline} is the line break plus the current indentation, or null for one line. */
    private static void write(Object value, StringBuilder out, String newline) {
        switch (value) {
            case null -> out.append("null");
            case String string -> quote(string, out);
            case Boolean bool -> out.append(bool);
            case Number number -> out.append(number);
            case Map<?, ?> object -> writeObject(object, out, newline);
            case Collection<?> array -> writeArray(array, out, newline);
            default -> throw new IllegalArgumentException("cannot print a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeObject(Map<?, ?> object, StringBuilder out, String newline) {
        if (object.isEmpty()) {
            out.append("{}");
            return;
        }
        String inner = newline == null ? null : newline + INDENT;
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> field : object.entrySet()) {
            out.append(first ? "" : ",").append(inner == null ? "" : inner);
            first = false;
            quote(String.valueOf(field.getKey()), out);
            out.append(inner == null ? ":" : ": ");
            write(field.getValue(), out, inner);
        }
        out.append(newline == null ? "" : newline).append('}');
    }

    private static void writeArray(Collection<?> array, StringBuilder out, String newline) {
        if (array.isEmpty()) {
            out.append("[]");
            return;
        }
        String inner = newline == null ? null : newline + INDENT;
        out.append('[');
        boolean first = true;
        for (Object element : array) {
            out.append(first ? "" : ",").append(inner == null ? "" : inner);
            first = false;
            write(element, out, inner);
        }
        out.append(newline == null ? "" : newline).append(']');
    }

    private static void quote(String string, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < string.length(); i++) {
            char c = string.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) && !isPaired(string, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isPaired(String string, int i) {
        char c = string.charAt(i);
        return Character.isHighSurrogate(c)
                ? i + 1 < string.length() && Character.isLowSurrogate(string.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(string.charAt(i - 1));
    }
}

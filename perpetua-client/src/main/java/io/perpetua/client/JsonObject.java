package io.perpetua.client;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a parsed JSON object of an answer. A field that is missing or of the wrong
 * type fails with an {@link IllegalArgumentException} naming it ({@code sandbox.createdAt});
 * fields this SDK does not know are ignored, so newer daemons may add some.
 */
final class JsonObject {

    private final Map<?, ?> fields;
    private final String name;

    private JsonObject(Map<?, ?> fields, String name) {
        this.fields = fields;
        this.name = name;
    }

    /** {@code value} as an object called {@code name} in messages. */
    static JsonObject of(Object value, String name) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(name + " must be a JSON object but was " + describe(value));
        }
        return new JsonObject(map, name);
    }

    /** Parses {@code text} as a JSON object called {@code name} in messages. */
    static JsonObject parse(String text, String name) {
        return of(Json.parse(text), name);
    }

    boolean has(String field) {
        return fields.get(field) != null;
    }

    String string(String field) {
        return required(optionalString(field), field, "a string");
    }

    String optionalString(String field) {
        return typed(field, String.class, "a string");
    }

    long integer(String field) {
        return required(optionalInteger(field), field, "an integer");
    }

    Long optionalInteger(String field) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Long number) {
            return number;
        }
        throw wrongType(field, value instanceof BigInteger ? "an integer within 64 bits" : "an integer");
    }

    int int32(String field) {
        return required(optionalInt32(field), field, "an integer");
    }

    Integer optionalInt32(String field) {
        Long value = optionalInteger(field);
        if (value != null && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
            throw wrongType(field, "an integer within 32 bits");
        }
        return value == null ? null : value.intValue();
    }

    double number(String field) {
        Number value = required(typed(field, Number.class, "a number"), field, "a number");
        return value.doubleValue();
    }

    boolean bool(String field) {
        return required(typed(field, Boolean.class, "true or false"), field, "true or false");
    }

    Instant instant(String field) {
        return required(optionalInstant(field), field, "a timestamp");
    }

    Instant optionalInstant(String field) {
        String value = optionalString(field);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw wrongType(field, "an ISO-8601 timestamp");
        }
    }

    Duration seconds(String field) {
        return Duration.ofSeconds(integer(field));
    }

    JsonObject object(String field) {
        return required(optionalObject(field), field, "an object");
    }

    JsonObject optionalObject(String field) {
        Map<?, ?> value = typed(field, Map.class, "an object");
        return value == null ? null : new JsonObject(value, name + "." + field);
    }

    /** The array {@code field} of objects; missing or null is empty. */
    List<JsonObject> objects(String field) {
        List<JsonObject> objects = new ArrayList<>();
        List<?> array = array(field);
        for (int i = 0; i < array.size(); i++) {
            objects.add(of(array.get(i), name + "." + field + "[" + i + "]"));
        }
        return objects;
    }

    /** The array {@code field} of strings; missing or null is empty. */
    List<String> strings(String field) {
        List<String> strings = new ArrayList<>();
        for (Object element : array(field)) {
            if (!(element instanceof String string)) {
                throw wrongType(field, "an array of strings");
            }
            strings.add(string);
        }
        return Collections.unmodifiableList(strings);
    }

    /** The object {@code field} of string values, in document order; missing or null is empty. */
    Map<String, String> stringMap(String field) {
        Map<?, ?> value = typed(field, Map.class, "an object");
        Map<String, String> strings = new LinkedHashMap<>();
        if (value != null) {
            value.forEach((key, element) -> {
                if (!(element instanceof String string)) {
                    throw new IllegalArgumentException(name + "." + field + "." + key + " must be a string but was "
                            + describe(element));
                }
                strings.put((String) key, string);
            });
        }
        return Collections.unmodifiableMap(strings);
    }

    private List<?> array(String field) {
        List<?> value = typed(field, List.class, "an array");
        return value == null ? List.of() : value;
    }

    private <T> T typed(String field, Class<T> type, String expected) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        if (!type.isInstance(value)) {
            throw wrongType(field, expected);
        }
        return type.cast(value);
    }

    private <T> T required(T value, String field, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(name + "." + field + " must be " + expected + " but is missing");
        }
        return value;
    }

    private IllegalArgumentException wrongType(String field, String expected) {
        return new IllegalArgumentException(name + "." + field + " must be " + expected + " but was "
                + describe(fields.get(field)));
    }

    private static String describe(Object value) {
        String text = value instanceof String string ? "\"" + string + "\"" : String.valueOf(value);
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}

package io.perpetua.server.api;

import io.perpetua.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * JSON in and out of the API. Reading is strict (no unknown fields, no coercion of strings to
 * numbers or of fractions to integers) and every failure becomes an
 * {@link InvalidInputException} naming the field in the caller's terms ({@code cmd[0]},
 * {@code env.PATH}).
 */
final class JsonCodec {

    private final JsonMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // {"cmd": …, "cmd": …} is not guessed at: which one the caller meant is not ours to pick.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // A number or a boolean where a string belongs is a mistake, not a string.
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /** Parses {@code body} as a {@code type}; an empty body is {@code whenEmpty}. */
    <T> T read(byte[] body, Class<T> type, T whenEmpty) {
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            if (whenEmpty == null) {
                throw new InvalidInputException("body", "the request needs a JSON object body");
            }
            return whenEmpty;
        }
        try {
            requireObject(body);
            return mapper.readValue(body, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidInputException invalid) {
                throw invalid;
            }
            throw invalid(e, "is invalid: " + e.getOriginalMessage());
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException(e.getPropertyName(), "unknown field '" + path(e) + "'");
        } catch (MismatchedInputException e) {
            throw invalid(e, "must be " + describe(e.getTargetType()));
        } catch (StreamReadException e) {
            throw new InvalidInputException("body", "the body is not valid JSON: " + firstClause(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (JacksonException e) {
            throw invalid(e, "is invalid: " + e.getOriginalMessage());
        }
    }

    /**
     * Refuses a body that is not an object before it is mapped: every body of the API is one, and
     * Jackson reads {@code null} as no object at all, which a route would take for one.
     */
    private void requireObject(byte[] body) {
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidInputException("body", "the body must be a JSON object, such as {}, but was " + describe(first));
            }
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case null, default -> "something else";
        };
    }

    String write(Object value) {
        return mapper.writeValueAsString(value);
    }

    private static InvalidInputException invalid(JacksonException e, String problem) {
        String field = path(e);
        return field.isEmpty()
                ? new InvalidInputException("body", "the body " + problem)
                : new InvalidInputException(field, field + " " + problem);
    }

    /** Jackson's messages go on with parser internals after the first clause. */
    private static String firstClause(String message) {
        int cut = message.indexOf(" (");
        return cut > 0 ? message.substring(0, cut) : message;
    }

    /** The failing location as the caller wrote it: {@code cmd[2]}, {@code env.HOME}. */
    private static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type == List.class) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "of another type";
    }
}

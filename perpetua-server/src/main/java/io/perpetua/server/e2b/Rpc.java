package io.perpetua.server.e2b;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Reading the fields of a Connect RPC request (proto3 JSON): absent fields have their default
 * value, and a field of the wrong type is the caller's error, named in an
 * {@code invalid_argument}.
 */
final class Rpc {

    private Rpc() {
    }

    /** The request message in {@code text}, which must be a JSON object. */
    static JsonNode parse(JsonMapper json, String text) {
        JsonNode message;
        try {
            message = text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (JacksonException e) {
            throw ConnectError.invalid("the request is not valid JSON: " + e.getOriginalMessage());
        }
        if (message == null || !message.isObject()) {
            throw ConnectError.invalid("the request must be a JSON object");
        }
        return message;
    }

    /** A string field; null if absent. */
    static String string(JsonNode message, String field) {
        JsonNode value = message.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw ConnectError.invalid(field + " must be a string");
        }
        return value.asString();
    }

    /** A string field that must be there and not empty. */
    static String requiredString(JsonNode message, String field) {
        String value = string(message, field);
        if (value == null || value.isEmpty()) {
            throw ConnectError.invalid(field + " is required");
        }
        return value;
    }

    /** A whole-number field (proto3 JSON writes 64-bit numbers as strings too); {@code fallback} if absent. */
    static long integer(JsonNode message, String field, long fallback) {
        JsonNode value = message.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isString() && value.asString().matches("-?\\d{1,18}")) {
            return Long.parseLong(value.asString());
        }
        throw ConnectError.invalid(field + " must be a whole number");
    }

    /** A boolean field; false if absent. */
    static boolean bool(JsonNode message, String field) {
        JsonNode value = message.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ConnectError.invalid(field + " must be true or false");
        }
        return value.asBoolean();
    }

    /** A message field; an empty object if absent. */
    static JsonNode object(JsonNode message, String field) {
        JsonNode value = message.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!value.isObject()) {
            throw ConnectError.invalid(field + " must be an object");
        }
        return value;
    }

    /** A repeated string field; empty if absent. */
    static List<String> strings(JsonNode message, String field) {
        JsonNode value = message.path(field);
        List<String> strings = new ArrayList<>();
        if (value.isMissingNode() || value.isNull()) {
            return strings;
        }
        if (!value.isArray()) {
            throw ConnectError.invalid(field + " must be an array of strings");
        }
        for (JsonNode item : value) {
            if (!item.isString()) {
                throw ConnectError.invalid(field + " must be an array of strings");
            }
            strings.add(item.asString());
        }
        return strings;
    }

    /** A map<string, string> field; empty if absent. */
    static Map<String, String> stringMap(JsonNode message, String field) {
        JsonNode value = object(message, field);
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isString()) {
                throw ConnectError.invalid(field + "." + entry.getKey() + " must be a string");
            }
            map.put(entry.getKey(), entry.getValue().asString());
        }
        return map;
    }
}

package io.perpetua.server.mcp;

import io.perpetua.error.InvalidInputException;
import io.perpetua.sandbox.SandboxId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tool call's arguments, already checked against the tool's JSON Schema by the MCP SDK; what
 * the schema cannot say (an id's form, a path's) is checked here, naming the argument.
 */
record ToolArguments(Map<String, Object> values) {

    ToolArguments {
        values = values == null ? Map.of() : values;
    }

    String string(String name) {
        Object value = values.get(name);
        if (value == null) {
            throw new InvalidInputException(name, name + " is required");
        }
        if (!(value instanceof String text)) {
            throw new InvalidInputException(name, name + " must be a string");
        }
        return text;
    }

    String optionalString(String name) {
        return values.get(name) == null ? null : string(name);
    }

    Integer optionalInteger(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
            throw new InvalidInputException(name, name + " must be a whole number");
        }
        return number.intValue();
    }

    Double optionalNumber(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number)) {
            throw new InvalidInputException(name, name + " must be a number");
        }
        return number.doubleValue();
    }

    boolean flag(String name) {
        Object value = values.get(name);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean bool)) {
            throw new InvalidInputException(name, name + " must be true or false");
        }
        return bool;
    }

    List<String> strings(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidInputException(name, name + " must be an array of strings");
        }
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String text)) {
                throw new InvalidInputException(name, name + " must be an array of strings");
            }
            strings.add(text);
        }
        return strings;
    }

    Map<String, String> stringMap(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidInputException(name, name + " must be an object of strings");
        }
        Map<String, String> strings = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw new InvalidInputException(name + "." + entry.getKey(), name + "." + entry.getKey() + " must be a string");
            }
            strings.put(String.valueOf(entry.getKey()), text);
        }
        return strings;
    }

    /** The sandbox id in {@code id}, well formed. */
    SandboxId sandbox() {
        String id = string("id");
        if (!SandboxId.isValid(id)) {
            throw new InvalidInputException("id", "id must be a sandbox id such as sbabcdefghijklmn but was '" + id + "'");
        }
        return SandboxId.of(id);
    }
}

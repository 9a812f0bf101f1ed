package io.perpetua.client;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** A JSON request body of only the fields that are set: null values and empty maps or lists are left out. */
final class RequestBody {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    RequestBody set(String name, Object value) {
        boolean empty = value == null || value instanceof Map<?, ?> map && map.isEmpty()
                || value instanceof Collection<?> collection && collection.isEmpty();
        if (!empty) {
            fields.put(name, value);
        }
        return this;
    }

    Map<String, Object> fields() {
        return fields;
    }
}

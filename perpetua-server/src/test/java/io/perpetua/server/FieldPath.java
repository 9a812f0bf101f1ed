package io.perpetua.server;

import java.util.ArrayList;
import java.util.List;

/**
 * A place in a JSON body: property names and array indexes from the root, written as the API
 * names fields in its errors ({@code network.allowOut[0]}, {@code env.PATH}).
 *
 * @param segments property names ({@link String}) and array indexes ({@link Integer})
 */
record FieldPath(List<Object> segments) {

    static final FieldPath ROOT = new FieldPath(List.of());

    FieldPath {
        segments = List.copyOf(segments);
    }

    FieldPath property(String name) {
        return child(name);
    }

    FieldPath index(int index) {
        return child(index);
    }

    boolean isRoot() {
        return segments.isEmpty();
    }

    private FieldPath child(Object segment) {
        List<Object> longer = new ArrayList<>(segments);
        longer.add(segment);
        return new FieldPath(longer);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer index) {
                text.append('[').append(index).append(']');
            } else {
                text.append(text.isEmpty() ? "" : ".").append(segment);
            }
        }
        return text.isEmpty() ? "(body)" : text.toString();
    }
}

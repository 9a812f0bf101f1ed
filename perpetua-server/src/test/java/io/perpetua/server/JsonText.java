package io.perpetua.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * JSON written by hand, so that a body can hold what no JSON library writes: a key twice, bytes
 * that are not UTF-8, a lone surrogate, any value in any place.
 */
final class JsonText {

    /** What becomes of one field of a tree when it is written. */
    enum Change {
        /** The field's value is replaced by the edit's text. */
        REPLACE,
        /** The field is left out. */
        REMOVE,
        /** The key is written twice: first with the edit's text, then with its own value. */
        DUPLICATE_FIRST,
        /** The key is written twice: first with its own value, then with the edit's text. */
        DUPLICATE_LAST
    }

    /** A change to one field; {@code text} is raw JSON text (or not quite JSON) in bytes. */
    record Edit(Change change, byte[] text) {
    }

    private JsonText() {
    }

    /** {@code tree} as JSON text with {@code edits} made; each path must name a field the tree has. */
    static byte[] write(JsonNode tree, Map<FieldPath, Edit> edits) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        value(out, tree, FieldPath.ROOT, edits);
        return out.toByteArray();
    }

    private static void value(ByteArrayOutputStream out, JsonNode node, FieldPath at, Map<FieldPath, Edit> edits) {
        if (node.isObject()) {
            out.write('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                first = member(out, first, property.getKey(), property.getValue(), at.property(property.getKey()), edits);
            }
            out.write('}');
        } else if (node.isArray()) {
            out.write('[');
            boolean first = true;
            for (int i = 0; i < node.size(); i++) {
                first = member(out, first, null, node.get(i), at.index(i), edits);
            }
            out.write(']');
        } else {
            out.writeBytes(node.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes an object member (or, without a name, an array element) as its edit says; returns whether nothing is written yet. */
    private static boolean member(ByteArrayOutputStream out, boolean first, String name, JsonNode value, FieldPath at,
                                  Map<FieldPath, Edit> edits) {
        Edit edit = edits.get(at);
        Change change = edit == null ? null : edit.change();
        if (change == Change.REMOVE) {
            return first;
        }
        if (change == Change.DUPLICATE_FIRST || change == Change.REPLACE) {
            raw(out, first, name, edit.text());
            first = false;
        }
        if (change != Change.REPLACE) {
            separate(out, first, name);
            value(out, value, at, edits);
            first = false;
        }
        if (change == Change.DUPLICATE_LAST) {
            raw(out, false, name, edit.text());
        }
        return first;
    }

    private static void raw(ByteArrayOutputStream out, boolean first, String name, byte[] text) {
        separate(out, first, name);
        out.writeBytes(text);
    }

    private static void separate(ByteArrayOutputStream out, boolean first, String name) {
        if (!first) {
            out.write(',');
        }
        if (name != null) {
            out.writeBytes(JsonNodeFactory.instance.stringNode(name).toString().getBytes(StandardCharsets.UTF_8));
            out.write(':');
        }
    }
}

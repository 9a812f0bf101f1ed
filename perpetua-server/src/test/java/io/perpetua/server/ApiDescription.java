package io.perpetua.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API as its OpenAPI document describes it, read for the fuzzer: every operation with its
 * parameters and request body, every field of a body, and a valid value for any schema (its
 * first example, its default, its first enum value, or the least value its type and bounds allow).
 */
final class ApiDescription {

    /** The key a map (an object with {@code additionalProperties}) gets in a valid value: an env name and a label key. */
    static final String MAP_KEY = "FUZZ";
    /** A string no field rejects for its shape, and not a host name either: a network policy would resolve one. */
    private static final String ANY_STRING = "fuzz value";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A parameter of an operation: {@code in} is path, query or header. */
    record Parameter(String name, String in, boolean required, JsonNode schema) {
    }

    /**
     * One operation: a method (upper case) on a path template.
     *
     * @param bodyType   the media type of its request body, or null if it takes none
     * @param bodySchema the schema of that body, or null
     */
    record Operation(String method, String path, List<Parameter> parameters, String bodyType, JsonNode bodySchema) {

        String name() {
            return method + " " + path;
        }

        boolean takesBody() {
            return bodyType != null;
        }

        boolean takesJson() {
            return "application/json".equals(bodyType);
        }
    }

    private final JsonNode document;

    ApiDescription(JsonNode document) {
        this.document = document;
    }

    List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (method.getValue().isObject() && !method.getKey().equals("parameters")) {
                    operations.add(operation(path.getKey(), path.getValue(), method.getKey(), method.getValue()));
                }
            }
        }
        return operations;
    }

    private Operation operation(String path, JsonNode pathItem, String method, JsonNode spec) {
        List<Parameter> parameters = new ArrayList<>();
        for (JsonNode parameter : List.of(pathItem.path("parameters"), spec.path("parameters"))) {
            parameter.forEach(p -> parameters.add(new Parameter(p.path("name").asString(), p.path("in").asString(),
                    p.path("required").asBoolean(false), resolve(p.path("schema")))));
        }
        JsonNode content = spec.path("requestBody").path("content");
        String bodyType = content.isObject() && !content.isEmpty() ? content.propertyNames().iterator().next() : null;
        JsonNode bodySchema = bodyType == null ? null : resolve(content.path(bodyType).path("schema"));
        return new Operation(method.toUpperCase(Locale.ROOT), path, List.copyOf(parameters), bodyType, bodySchema);
    }

    /** The schema itself, or the one its {@code $ref} names. */
    JsonNode resolve(JsonNode schema) {
        String ref = schema.path("$ref").asString("");
        if (ref.isEmpty()) {
            return schema;
        }
        JsonNode target = document.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new IllegalStateException("the document has no " + ref);
        }
        return resolve(target);
    }

    /** The JSON types a schema allows: {@code string}, {@code integer}, {@code object}, … ({@code null} left out). */
    Set<String> types(JsonNode schema) {
        JsonNode type = resolve(schema).path("type");
        Set<String> types = new LinkedHashSet<>();
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asString()));
        } else if (type.isString()) {
            types.add(type.asString());
        } else if (resolve(schema).has("properties")) {
            types.add("object");
        }
        types.remove("null");
        return types;
    }

    /** A value the schema accepts: the object's required properties only, arrays of one item, maps of one entry. */
    JsonNode validValue(JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.path("examples").isArray() && !s.path("examples").isEmpty()) {
            return s.path("examples").get(0).deepCopy();
        }
        if (s.has("default")) {
            return s.path("default").deepCopy();
        }
        if (s.path("enum").isArray()) {
            return s.path("enum").get(0).deepCopy();
        }
        Set<String> types = types(s);
        String type = types.isEmpty() ? "string" : types.iterator().next();
        return switch (type) {
            case "integer", "number" -> s.has("minimum") ? s.path("minimum").deepCopy() : NODES.numberNode(1);
            case "boolean" -> NODES.booleanNode(false);
            case "array" -> NODES.arrayNode().add(validValue(s.path("items")));
            case "object" -> validObject(s);
            default -> NODES.stringNode(ANY_STRING);
        };
    }

    private ObjectNode validObject(JsonNode schema) {
        ObjectNode object = NODES.objectNode();
        for (JsonNode required : schema.path("required")) {
            object.set(required.asString(), validValue(schema.path("properties").path(required.asString())));
        }
        if (!schema.has("properties") && schema.path("additionalProperties").isObject()) {
            object.set(MAP_KEY, validValue(schema.path("additionalProperties")));
        }
        return object;
    }

    /** The schema of the value at {@code path} in a body of schema {@code root}. */
    JsonNode schemaAt(JsonNode root, FieldPath path) {
        JsonNode schema = resolve(root);
        for (Object segment : path.segments()) {
            JsonNode properties = schema.path("properties");
            schema = resolve(segment instanceof Integer ? schema.path("items")
                    : properties.has((String) segment) ? properties.path((String) segment) : schema.path("additionalProperties"));
        }
        return schema;
    }

    /** Every field of a body of this schema, parents before their children: properties, first items, map values. */
    List<FieldPath> fields(JsonNode schema) {
        List<FieldPath> fields = new ArrayList<>();
        collectFields(schema, FieldPath.ROOT, fields);
        return fields;
    }

    private void collectFields(JsonNode schema, FieldPath at, List<FieldPath> fields) {
        if (at.segments().size() > 8) {
            return;
        }
        JsonNode s = resolve(schema);
        for (Map.Entry<String, JsonNode> property : s.path("properties").properties()) {
            add(property.getValue(), at.property(property.getKey()), fields);
        }
        if (!s.has("properties") && s.path("additionalProperties").isObject()) {
            add(s.path("additionalProperties"), at.property(MAP_KEY), fields);
        }
        if (s.path("items").isObject()) {
            add(s.path("items"), at.index(0), fields);
        }
    }

    private void add(JsonNode schema, FieldPath field, List<FieldPath> fields) {
        fields.add(field);
        collectFields(schema, field, fields);
    }

    /**
     * Puts a valid value at {@code path} in {@code body} and at every parent that is missing,
     * so that an edit of that field has a place to go; what is there already stays.
     */
    void materialize(JsonNode body, JsonNode bodySchema, FieldPath path) {
        JsonNode container = body;
        FieldPath at = FieldPath.ROOT;
        for (Object segment : path.segments()) {
            FieldPath next = segment instanceof Integer index ? at.index(index) : at.property((String) segment);
            JsonNode child = segment instanceof Integer index ? container.path(index) : container.path((String) segment);
            if (child.isMissingNode() || child.isNull()) {
                child = validValue(schemaAt(bodySchema, next));
                if (container instanceof ObjectNode object) {
                    object.set((String) segment, child);
                } else if (container instanceof ArrayNode array) {
                    array.add(child);
                }
            }
            container = child;
            at = next;
        }
    }
}

package io.perpetua.store;

import java.util.Map;
import java.util.Objects;

/**
 * Name/value pairs an adapter at the edge keeps about a sandbox under a namespace of its own
 * (see {@link SandboxStore#annotate}); the engine stores them and never reads them.
 *
 * @param namespace the adapter's namespace, such as {@code e2b}
 * @param values    the pairs; none means nothing is kept
 */
public record Annotations(String namespace, Map<String, String> values) {

    /** Nothing to keep. */
    public static final Annotations NONE = new Annotations("none", Map.of());

    /** Checks the parts and copies the pairs. */
    public Annotations {
        Objects.requireNonNull(namespace, "namespace");
        values = Map.copyOf(values);
    }
}

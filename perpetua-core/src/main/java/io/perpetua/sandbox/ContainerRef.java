package io.perpetua.sandbox;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One incarnation of a sandbox in the runtime. A sandbox keeps its id for life, but every
 * restore from a checkpoint starts a new container, numbered by {@code generation}, so a
 * container that is still being torn down never collides with its successor.
 *
 * @param sandbox    the sandbox this container belongs to
 * @param generation the incarnation number, starting at 1
 */
public record ContainerRef(SandboxId sandbox, int generation) {

    private static final Pattern GENERATION = Pattern.compile("[0-9a-f]{8}");

    /** Checks that the sandbox is present and the generation positive. */
    public ContainerRef {
        Objects.requireNonNull(sandbox, "sandbox");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be positive but was " + generation);
        }
    }

    /** The runtime's name for this container: fixed length, {@code <sandbox id>-<8 hex digits>}. */
    public String containerId() {
        return sandbox.value() + "-" + String.format("%08x", generation);
    }

    /** The next incarnation of the same sandbox. */
    public ContainerRef next() {
        return new ContainerRef(sandbox, generation + 1);
    }

    /** Parses a container id made by {@link #containerId()}; {@code null} if it is not one. */
    public static ContainerRef parse(String containerId) {
        if (containerId == null || containerId.length() != SandboxId.LENGTH + 9 || containerId.charAt(SandboxId.LENGTH) != '-') {
            return null;
        }
        String id = containerId.substring(0, SandboxId.LENGTH);
        String generation = containerId.substring(SandboxId.LENGTH + 1);
        // Only the exact form containerId() writes: parseUnsignedInt alone would also take "+" and upper case.
        if (!SandboxId.isValid(id) || !GENERATION.matcher(generation).matches()) {
            return null;
        }
        int number = Integer.parseUnsignedInt(generation, 16);
        return number < 1 ? null : new ContainerRef(SandboxId.of(id), number);
    }
}

package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.error.NotFoundException;
import io.perpetua.sandbox.SandboxId;

/**
 * The {@code {id}} of a sandbox route, checked against the caller. The check is made on the very
 * id the route goes on to use, so no spelling of a path (escapes, parameters) can name one
 * sandbox to the check and another to the route.
 */
final class SandboxIdParameter {

    private SandboxIdParameter() {
    }

    /**
     * The sandbox id in the path, if the caller's project owns that sandbox. A malformed id, an
     * unknown one and another project's are the same 404.
     */
    static SandboxId of(Context ctx) {
        SandboxId id = parse(ctx.pathParam("id"));
        AccessControl.requireOwner(ctx, id);
        return id;
    }

    /** Parses an id; one that is malformed names no sandbox, so it is a 404 like any unknown id. */
    static SandboxId parse(String id) {
        if (!SandboxId.isValid(id)) {
            throw NotFoundException.sandbox(id);
        }
        return SandboxId.of(id);
    }
}

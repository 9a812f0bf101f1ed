package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.error.NotFoundException;
import io.perpetua.sandbox.SandboxId;

/** The {@code {id}} of a sandbox route. */
final class SandboxIdParameter {

    private SandboxIdParameter() {
    }

    /** The sandbox id in the path; a malformed id names no sandbox, so it is a 404 like any unknown id. */
    static SandboxId of(Context ctx) {
        return of(ctx.pathParam("id"));
    }

    /** Like {@link #of(Context)}, for the id as text. */
    static SandboxId of(String id) {
        if (!SandboxId.isValid(id)) {
            throw new NotFoundException("sandbox_not_found", "no sandbox with id '" + id + "'");
        }
        return SandboxId.of(id);
    }
}

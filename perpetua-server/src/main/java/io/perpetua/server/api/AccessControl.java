package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.access.ApiKey;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.ProjectId;
import io.perpetua.error.ForbiddenException;
import io.perpetua.error.NotFoundException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.SandboxId;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who is calling, and what they may touch. Runs before every {@code /v1} route, WebSocket
 * upgrades included: the key in {@code Authorization: Bearer} must be valid, and a sandbox named
 * in the path must belong to the key's project ({@link SandboxIdParameter} asks). Another
 * project's sandbox answers exactly as a sandbox that does not exist, so ids cannot be probed.
 */
final class AccessControl {

    private static final String CALLER = "perpetua.caller";
    private static final String OWNS = "perpetua.owns";
    /** What anyone may read: the API's description says nothing about anybody's sandboxes. */
    private static final Set<String> PUBLIC = Set.of("/v1/openapi.json");

    private final ApiKeys keys;
    private final SandboxService sandboxes;

    AccessControl(ApiKeys keys, SandboxService sandboxes) {
        this.keys = keys;
        this.sandboxes = sandboxes;
    }

    /**
     * Checks the request's key and, on a route with a sandbox {@code {id}}, that the key's
     * project owns that sandbox; throws what answers the request otherwise. Runs before the
     * route's own code, so another project's sandbox is a 404 whatever else is wrong with the request.
     */
    void check(Context ctx) {
        String path = ctx.path();
        if (!path.startsWith("/v1/") || PUBLIC.contains(path)) {
            return;
        }
        ApiKey caller = keys.authenticate(bearer(ctx.header("Authorization")));
        ctx.attribute(CALLER, caller);
        ctx.attribute(OWNS, (Predicate<SandboxId>) id -> sandboxes.find(id.value())
                .map(sandbox -> sandbox.project().equals(caller.project())).orElse(true));
        if (ctx.pathParamMap().containsKey("id")) {
            requireOwner(ctx, SandboxIdParameter.parse(ctx.pathParam("id")));
        }
    }

    /**
     * Throws "not found" unless the caller's project owns sandbox {@code id} (or there is no such
     * sandbox, which the route reports in the same words).
     */
    static void requireOwner(Context ctx, SandboxId id) {
        Predicate<SandboxId> owns = ctx.attribute(OWNS);
        if (owns == null) {
            throw new IllegalStateException("no caller on " + ctx.path() + ": the route is not behind the access check");
        }
        if (!owns.test(id)) {
            throw NotFoundException.sandbox(id.value());
        }
    }

    /** The key of the request, checked by {@link #check}. */
    static ApiKey caller(Context ctx) {
        ApiKey caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("no caller on " + ctx.path() + ": the route is not behind the access check");
        }
        return caller;
    }

    /** Whether the request came with a valid API key. */
    static boolean authenticated(Context ctx) {
        return ctx.attribute(CALLER) != null;
    }

    /** The project of the request's key. */
    static ProjectId project(Context ctx) {
        return caller(ctx).project();
    }

    /** Lets only admin keys on. */
    static void requireAdmin(Context ctx) {
        requireAdmin(ctx, "manage keys");
    }

    /** Lets only admin keys on, for {@code what} ("manage keys"), which the message names. */
    static void requireAdmin(Context ctx, String what) {
        ApiKey caller = caller(ctx);
        if (!caller.admin()) {
            throw new ForbiddenException("key " + caller.id() + " is not an admin key; only admin keys " + what);
        }
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (!value.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            return null;
        }
        return value.substring("bearer ".length()).strip();
    }
}

package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.access.ApiKey;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.IssuedKey;
import io.perpetua.access.ProjectId;
import java.util.Map;

/**
 * {@code /v1/keys}: issue, list and revoke API keys. Only admin keys may; a key's secret is
 * shown once, in the answer that issues it.
 */
final class KeyRoutes {

    private final ApiKeys keys;
    private final JsonCodec json;

    KeyRoutes(ApiKeys keys, JsonCodec json) {
        this.keys = keys;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.post("/v1/keys", this::issue);
        routes.get("/v1/keys", this::list);
        routes.delete("/v1/keys/{keyId}", this::revoke);
    }

    /** The body of {@code POST /v1/keys}: the project (the caller's unless given), a name, whether admin. */
    record KeyBody(String project, String name, Boolean admin) {
        static final KeyBody EMPTY = new KeyBody(null, null, null);
    }

    /** A key as listed: never its secret, which the daemon does not have. */
    record KeyView(String id, String project, String name, boolean admin, String createdAt, String revokedAt) {
        static KeyView of(ApiKey key) {
            return new KeyView(key.id(), key.project().value(), key.name(), key.admin(), key.createdAt().toString(),
                    key.revokedAt() == null ? null : key.revokedAt().toString());
        }
    }

    /** A key just issued, with its secret: the only time it is shown. */
    record IssuedKeyView(String id, String project, String name, boolean admin, String createdAt, String key) {
    }

    private void issue(Context ctx) {
        AccessControl.requireAdmin(ctx);
        KeyBody body = json.read(ctx.bodyAsBytes(), KeyBody.class, KeyBody.EMPTY);
        ProjectId project = body.project() == null ? AccessControl.project(ctx) : ProjectId.of(body.project());
        IssuedKey issued = keys.issue(project, body.name(), Boolean.TRUE.equals(body.admin()));
        ApiKey key = issued.key();
        ctx.status(HttpStatus.CREATED).result(json.write(new IssuedKeyView(key.id(), key.project().value(), key.name(), key.admin(),
                key.createdAt().toString(), issued.secret())));
    }

    private void list(Context ctx) {
        AccessControl.requireAdmin(ctx);
        ctx.result(json.write(Map.of("keys", keys.list().stream().map(KeyView::of).toList())));
    }

    private void revoke(Context ctx) {
        AccessControl.requireAdmin(ctx);
        keys.revoke(ctx.pathParam("keyId"));
        ctx.status(HttpStatus.NO_CONTENT);
    }
}

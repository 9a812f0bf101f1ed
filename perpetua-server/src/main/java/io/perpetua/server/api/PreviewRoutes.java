package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.access.Preview;
import io.perpetua.access.Previews;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.SandboxId;
import java.util.Map;

/**
 * {@code /v1/sandboxes/{id}/previews}: makes, lists and revokes the preview URLs of a sandbox's
 * ports. What a preview URL serves is the port proxy's job ({@link PortProxyRoutes}).
 */
final class PreviewRoutes {

    private final SandboxService sandboxes;
    private final Previews previews;
    private final JsonCodec json;

    PreviewRoutes(SandboxService sandboxes, Previews previews, JsonCodec json) {
        this.sandboxes = sandboxes;
        this.previews = previews;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.post("/v1/sandboxes/{id}/previews", this::create);
        routes.get("/v1/sandboxes/{id}/previews", this::list);
        routes.delete("/v1/sandboxes/{id}/previews/{previewId}", this::revoke);
    }

    record PreviewBody(Integer port) {
    }

    /** A preview as listed: never its token, which the daemon does not keep. */
    record PreviewView(String id, int port, String createdAt, String revokedAt) {
        static PreviewView of(Preview preview) {
            return new PreviewView(preview.id(), preview.port(), preview.createdAt().toString(),
                    preview.revokedAt() == null ? null : preview.revokedAt().toString());
        }
    }

    private void create(Context ctx) {
        SandboxId id = SandboxIdParameter.of(ctx);
        PreviewBody body = json.read(ctx.bodyAsBytes(), PreviewBody.class, null);
        int port = SandboxPortParameter.parse(body.port() == null ? null : body.port().toString());
        sandboxes.get(id);
        Previews.IssuedPreview issued = previews.create(id, port);
        ctx.status(HttpStatus.CREATED).result(json.write(Map.of("id", issued.preview().id(), "port", port, "token", issued.token(),
                "url", ctx.scheme() + "://" + ctx.host() + PortProxyRoutes.previewPath(issued.token()))));
    }

    private void list(Context ctx) {
        SandboxId id = SandboxIdParameter.of(ctx);
        sandboxes.get(id);
        ctx.result(json.write(Map.of("previews", previews.list(id).stream().map(PreviewView::of).toList())));
    }

    private void revoke(Context ctx) {
        SandboxId id = SandboxIdParameter.of(ctx);
        sandboxes.get(id);
        previews.revoke(id, ctx.pathParam("previewId"));
        ctx.status(HttpStatus.NO_CONTENT);
    }
}

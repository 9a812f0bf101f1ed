package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.error.InvalidInputException;
import io.perpetua.template.Template;
import io.perpetua.template.TemplateRecipe;
import io.perpetua.template.Templates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/templates}: prepared environments that new sandboxes start from, built by a recipe
 * in the background. A sandbox is made from one by {@code POST /v1/sandboxes {"template": name}},
 * in {@link ApiRoutes}.
 */
final class TemplateRoutes {

    private final Templates templates;
    private final JsonCodec json;

    TemplateRoutes(Templates templates, JsonCodec json) {
        this.templates = templates;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.post("/v1/templates", this::build);
        routes.post("/v1/templates/{name}/image", this::upload);
        routes.get("/v1/templates", ctx -> ctx.result(json.write(Map.of("templates",
                templates.list(AccessControl.project(ctx)).stream().map(this::view).toList()))));
        routes.get("/v1/templates/{name}", ctx -> ctx.result(json.write(view(templates.get(AccessControl.project(ctx),
                ctx.pathParam("name"))))));
        routes.delete("/v1/templates/{name}", ctx -> {
            templates.delete(AccessControl.project(ctx), ctx.pathParam("name"));
            ctx.status(HttpStatus.NO_CONTENT);
        });
    }

    /** The body of {@code POST /v1/templates}. */
    record BuildBody(String name, String from, String image, List<String> setup, Map<String, String> env, List<String> start,
                     String ready, Long readyTimeoutSeconds, Long setupTimeoutSeconds, Integer memoryMb, Double cpus, Integer diskMb) {

        TemplateRecipe recipe() {
            return new TemplateRecipe(from, setup, env, start, ready, CreateSandboxBody.seconds(readyTimeoutSeconds),
                    CreateSandboxBody.seconds(setupTimeoutSeconds), memoryMb, cpus, diskMb);
        }
    }

    /** A template as the API shows it; environment values are not echoed back. */
    record TemplateView(String name, String id, String state, String from, String image, List<String> setup, List<String> envNames, List<String> start,
                        String ready, String snapshotId, int warmCopies, String createdAt, String stateChangedAt, String failureReason,
                        String buildLog) {
        static TemplateView of(Template t, int warmCopies) {
            TemplateRecipe recipe = t.recipe();
            return new TemplateView(t.name(), t.id(), t.state().name().toLowerCase(), recipe.from(), t.image(), recipe.setup(),
                    recipe.env().keySet().stream().sorted().toList(), recipe.start(), recipe.ready(), t.snapshotId(), warmCopies,
                    t.createdAt().toString(), t.stateChangedAt().toString(), t.failureReason(), t.buildLog());
        }
    }

    private void build(Context ctx) {
        BuildBody body = json.read(ctx.bodyAsBytes(), BuildBody.class, null);
        if (body.image() == null) {
            accepted(ctx, templates.build(AccessControl.project(ctx), body.name(), body.recipe()));
            return;
        }
        // A path on the daemon's host: only an operator may point the daemon at its files.
        AccessControl.requireAdmin(ctx, "import images from the daemon's host");
        InvalidInputException.check(body.image().startsWith("/") && body.image().indexOf('\0') < 0, "image",
                "image must be an absolute path on the daemon's host");
        accepted(ctx, templates.importImage(AccessControl.project(ctx), body.name(), Path.of(body.image()), body.recipe()));
    }

    /** The body is an OCI archive or a docker save archive, streamed to disk as it comes. */
    private void upload(Context ctx) throws IOException {
        TemplateRecipe noRecipe = new TemplateRecipe(null, null, null, null, null, null, null, null, null, null);
        accepted(ctx, templates.importImage(AccessControl.project(ctx), ctx.pathParam("name"), ctx.req().getInputStream(), noRecipe));
    }

    private void accepted(Context ctx, Template template) {
        ctx.status(HttpStatus.ACCEPTED).header("Location", "/v1/templates/" + template.name());
        ctx.result(json.write(view(template)));
    }

    private TemplateView view(Template template) {
        return TemplateView.of(template, templates.warmCopies(template));
    }
}

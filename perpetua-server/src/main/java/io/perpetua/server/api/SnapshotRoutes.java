package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.error.InvalidInputException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.SavedSnapshot;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Saved snapshots and what is made of them: {@code POST /v1/sandboxes/{id}/snapshots} saves a
 * sandbox's complete state, {@code /restore} puts the sandbox back to one, {@code /fork} makes
 * copies, and {@code /v1/snapshots} lists and deletes them. A new sandbox from a snapshot is
 * {@code POST /v1/sandboxes {"snapshot": id}}, in {@link ApiRoutes}.
 */
final class SnapshotRoutes {

    private final SandboxService sandboxes;
    private final Function<Sandbox, SandboxView> views;
    private final JsonCodec json;

    SnapshotRoutes(SandboxService sandboxes, Function<Sandbox, SandboxView> views, JsonCodec json) {
        this.sandboxes = sandboxes;
        this.views = views;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.post("/v1/sandboxes/{id}/snapshots", this::take);
        routes.get("/v1/sandboxes/{id}/snapshots", ctx -> list(ctx, sandboxes.snapshotsOf(id(ctx))));
        routes.post("/v1/sandboxes/{id}/restore", this::rollback);
        routes.post("/v1/sandboxes/{id}/fork", this::fork);
        routes.get("/v1/snapshots", ctx -> list(ctx, sandboxes.snapshots(AccessControl.project(ctx))));
        routes.get("/v1/snapshots/{snapshotId}", ctx -> ctx.result(json.write(
                SnapshotView.of(sandboxes.savedSnapshot(AccessControl.project(ctx), ctx.pathParam("snapshotId"))))));
        routes.delete("/v1/snapshots/{snapshotId}", ctx -> {
            sandboxes.deleteSnapshot(AccessControl.project(ctx), ctx.pathParam("snapshotId"));
            ctx.status(HttpStatus.NO_CONTENT);
        });
    }

    record TakeBody(String name) {
        static final TakeBody EMPTY = new TakeBody(null);
    }

    record RestoreBody(String snapshot) {
    }

    record ForkBody(Integer count) {
        static final ForkBody EMPTY = new ForkBody(null);
    }

    /** A saved snapshot as the API shows it. */
    record SnapshotView(String id, String name, String sandboxId, String project, String createdAt, long sizeBytes) {
        static SnapshotView of(SavedSnapshot saved) {
            return new SnapshotView(saved.id(), saved.name(), saved.source().value(), saved.project().value(),
                    saved.createdAt().toString(), saved.sizeBytes());
        }
    }

    /** What a fork made. */
    record ForkView(SnapshotView snapshot, List<SandboxView> sandboxes) {
    }

    private void take(Context ctx) {
        TakeBody body = json.read(ctx.bodyAsBytes(), TakeBody.class, TakeBody.EMPTY);
        SavedSnapshot saved = sandboxes.snapshot(id(ctx), body.name());
        ctx.status(HttpStatus.CREATED).header("Location", "/v1/snapshots/" + saved.id());
        ctx.result(json.write(SnapshotView.of(saved)));
    }

    private void rollback(Context ctx) {
        RestoreBody body = json.read(ctx.bodyAsBytes(), RestoreBody.class, null);
        if (body.snapshot() == null || body.snapshot().isBlank()) {
            throw new InvalidInputException("snapshot", "snapshot is required: the id of a snapshot of this sandbox");
        }
        ctx.result(json.write(views.apply(sandboxes.rollback(id(ctx), body.snapshot()))));
    }

    private void fork(Context ctx) {
        ForkBody body = json.read(ctx.bodyAsBytes(), ForkBody.class, ForkBody.EMPTY);
        SandboxService.Forks forks = sandboxes.fork(id(ctx), body.count() == null ? 1 : body.count());
        ctx.status(HttpStatus.CREATED);
        ctx.result(json.write(new ForkView(SnapshotView.of(forks.snapshot()), forks.sandboxes().stream().map(views).toList())));
    }

    private void list(Context ctx, List<SavedSnapshot> snapshots) {
        ctx.result(json.write(Map.of("snapshots", snapshots.stream().map(SnapshotView::of).toList())));
    }

    private static SandboxId id(Context ctx) {
        return SandboxIdParameter.of(ctx);
    }
}

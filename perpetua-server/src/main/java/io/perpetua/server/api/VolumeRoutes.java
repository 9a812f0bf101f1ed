package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.volume.Attachment;
import io.perpetua.volume.Volume;
import io.perpetua.volume.Volumes;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Volumes ({@code /v1/volumes}: one writer at a time) and drives ({@code /v1/drives}: shared by
 * many writers), which outlive the sandboxes that mount them; and mounting a drive into a
 * sandbox that runs ({@code POST /v1/sandboxes/{id}/drives}).
 */
final class VolumeRoutes {

    private final SandboxService sandboxes;
    private final Function<Sandbox, SandboxView> views;
    private final JsonCodec json;

    VolumeRoutes(SandboxService sandboxes, Function<Sandbox, SandboxView> views, JsonCodec json) {
        this.sandboxes = sandboxes;
        this.views = views;
        this.json = json;
    }

    private Volumes volumes() {
        return sandboxes.volumes();
    }

    void register(RouteTable routes) {
        for (Volume.Kind kind : Volume.Kind.values()) {
            String collection = "/v1/" + kind.word() + "s";
            routes.post(collection, ctx -> create(ctx, kind));
            routes.get(collection, ctx -> ctx.result(json.write(Map.of(kind.word() + "s",
                    volumes().list(AccessControl.project(ctx), kind).stream().map(this::view).toList()))));
            routes.get(collection + "/{volumeId}", ctx -> ctx.result(json.write(view(volumes().get(AccessControl.project(ctx), kind,
                    ctx.pathParam("volumeId"))))));
            routes.delete(collection + "/{volumeId}", ctx -> {
                volumes().delete(AccessControl.project(ctx), kind, ctx.pathParam("volumeId"));
                ctx.status(HttpStatus.NO_CONTENT);
            });
        }
        routes.post("/v1/sandboxes/{id}/drives", this::mountDrive);
    }

    /** The body of a create: a name, and a size for volumes (drives have a default). */
    record CreateBody(String name, Integer sizeMb) {
    }

    /** A volume or drive as the API shows it, with where it is mounted. */
    record View(String id, String name, String kind, int sizeMb, long usedBytes, String createdAt, List<HolderView> mountedIn) {
    }

    /** A live sandbox that mounts a volume. */
    record HolderView(String sandboxId, String mountPath, boolean readOnly) {
    }

    private void create(Context ctx, Volume.Kind kind) {
        CreateBody body = json.read(ctx.bodyAsBytes(), CreateBody.class, null);
        Integer size = body.sizeMb();
        if (size == null) {
            InvalidInputException.check(kind == Volume.Kind.DRIVE, "sizeMb", "sizeMb is required: the size of the volume in MiB");
            size = Volume.DEFAULT_DRIVE_SIZE_MB;
        }
        Volume.checkName(body.name());
        Volume.checkSize(size);
        Volume made = volumes().create(AccessControl.project(ctx), kind, body.name(), size);
        ctx.status(HttpStatus.CREATED).header("Location", "/v1/" + kind.word() + "s/" + made.id());
        ctx.result(json.write(view(made)));
    }

    private View view(Volume volume) {
        List<HolderView> holders = volumes().holders(volume.id()).stream().map(VolumeRoutes::holder).toList();
        return new View(volume.id(), volume.name(), volume.kind().word(), volume.sizeMb(), volumes().storedBytes(volume),
                volume.createdAt().toString(), holders);
    }

    private static HolderView holder(Attachment attachment) {
        return new HolderView(attachment.sandbox().value(), attachment.mount().mountPath(), attachment.mount().readOnly());
    }

    private void mountDrive(Context ctx) {
        SandboxId id = SandboxIdParameter.of(ctx);
        ProjectId project = AccessControl.project(ctx);
        MountBody body = json.read(ctx.bodyAsBytes(), MountBody.class, null);
        Sandbox mounted = sandboxes.mount(id, body.resolve(volumes(), project, Volume.Kind.DRIVE, "body"));
        ctx.result(json.write(views.apply(mounted)));
    }
}

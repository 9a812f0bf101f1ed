package io.perpetua.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The sandboxes of a daemon: obtained from {@link Perpetua#sandboxes()}. */
public final class Sandboxes {

    private final Http http;

    Sandboxes(Http http) {
        this.http = http;
    }

    /**
     * Creates a sandbox ({@code POST /v1/sandboxes}); it is running when this returns.
     *
     * @param spec what to create it from; only what is set is sent
     * @return the new sandbox
     * @throws InvalidRequestException when the daemon rejects a part of {@code spec}, named by its field, such as
     *                                 {@code volumes[0].mountPath}
     * @throws ConflictException       with the code {@code volume_in_use}, naming the sandbox that writes it, if a
     *                                 volume of {@code spec} to be mounted read-write has a writer already
     */
    public Sandbox create(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return Sandbox.of(http, http.json(http.post("/v1/sandboxes", spec.body()), SandboxInfo::from));
    }

    /**
     * Creates a sandbox made entirely of the daemon's defaults.
     *
     * @return the new sandbox
     */
    public Sandbox create() {
        return create(SandboxSpec.defaults());
    }

    /**
     * Creates a sandbox that is a copy of a saved snapshot ({@code POST /v1/sandboxes {"snapshot": id}}):
     * the snapshot's processes, memory, files and settings, with an id, address and disk of its
     * own. It is running when this returns; the snapshot is kept.
     *
     * @param snapshotId the id of a snapshot of the caller's project
     * @return the new sandbox
     * @throws IllegalArgumentException if {@code snapshotId} is blank
     * @throws NotFoundException        with the code {@code snapshot_not_found} if the project has no such snapshot
     * @throws ConflictException        with the code {@code snapshot_corrupt} if the snapshot is damaged
     * @throws QuotaExceededException   if one more sandbox would exceed a limit of the project
     */
    public Sandbox createFromSnapshot(String snapshotId) {
        return createFromSnapshot(snapshotId, List.of());
    }

    /**
     * Creates a sandbox that is a copy of a saved snapshot, as {@link #createFromSnapshot(String)}
     * does, with volumes and drives mounted into it ({@code POST /v1/sandboxes {"snapshot": id,
     * "volumes": [...], "drives": [...]}}); the only settings a copy takes besides its snapshot's.
     *
     * @param snapshotId the id of a snapshot of the caller's project
     * @param mounts     the volumes and drives to mount, such as {@code List.of(Mount.volume("project-data", "/data"))};
     *                   none is as {@link #createFromSnapshot(String)}
     * @return the new sandbox
     * @throws IllegalArgumentException if {@code snapshotId} is blank or {@code mounts} holds null
     * @throws NotFoundException        with the code {@code snapshot_not_found} if the project has no such snapshot
     * @throws InvalidRequestException  naming the mount, such as {@code volumes[0].volume}, if the project has no such
     *                                  volume or drive or a path cannot be mounted at
     * @throws ConflictException        with the code {@code volume_in_use} if a volume to be written has a writer,
     *                                  or {@code snapshot_corrupt} if the snapshot is damaged
     * @throws QuotaExceededException   if one more sandbox would exceed a limit of the project
     */
    public Sandbox createFromSnapshot(String snapshotId, List<Mount> mounts) {
        List<Mount> asked = Validation.mounts(mounts, "mounts");
        Map<String, Object> body = new RequestBody()
                .set("snapshot", Validation.notBlank(snapshotId, "snapshotId"))
                .set("volumes", SandboxSpec.bodies(asked, VolumeKind.VOLUME))
                .set("drives", SandboxSpec.bodies(asked, VolumeKind.DRIVE))
                .fields();
        return Sandbox.of(http, http.json(http.post("/v1/sandboxes", body), SandboxInfo::from));
    }

    /**
     * Creates a sandbox from a template of the project ({@code POST /v1/sandboxes {"template": name}}).
     * For a template built with {@link Perpetua#templates()} it is a copy of the state the template
     * captured, with the processes its recipe left running already running, the template's
     * resources and environment; {@code default} is the daemon's default root. To give it labels,
     * idle windows, a network policy or more environment too, set {@link SandboxSpec#template()}
     * and call {@link #create(SandboxSpec)}. It is running when this returns.
     *
     * @param name the template's name
     * @return the new sandbox
     * @throws IllegalArgumentException if {@code name} cannot name a template
     * @throws ConflictException        with the code {@code template_not_ready} if the template is still being built,
     *                                  or {@code template_failed} if its build failed
     * @throws InvalidRequestException  if the project has no such template
     * @throws QuotaExceededException   if one more sandbox would exceed a limit of the project
     */
    public Sandbox createFromTemplate(String name) {
        Map<String, Object> body = Map.of("template", Validation.templateName(name, "name"));
        return Sandbox.of(http, http.json(http.post("/v1/sandboxes", body), SandboxInfo::from));
    }

    /**
     * Lists the sandboxes ({@code GET /v1/sandboxes}). Reading them does not wake them.
     *
     * @return every sandbox, each holding its info as of this call
     */
    public List<Sandbox> list() {
        return http.json(http.get("/v1/sandboxes"), json -> json.objects("sandboxes").stream()
                .map(SandboxInfo::from)
                .map(info -> Sandbox.of(http, info))
                .toList());
    }

    /**
     * Fetches a sandbox ({@code GET /v1/sandboxes/{id}}). Reading it does not wake it.
     *
     * @param id the sandbox's id
     * @return the sandbox, holding its info as of this call
     * @throws NotFoundException when there is no such sandbox
     */
    public Sandbox get(String id) {
        Sandbox sandbox = handle(id);
        sandbox.refresh();
        return sandbox;
    }

    /**
     * A handle on the sandbox with this id, made without asking the daemon: the first call on it
     * tells whether it exists. Use it to act on a sandbox whose id you hold without a round trip.
     *
     * @param id the sandbox's id
     * @return a handle whose {@link Sandbox#info()} is fetched when first asked for
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public Sandbox handle(String id) {
        return new Sandbox(http, Validation.notBlank(id, "id"), null);
    }
}

package io.perpetua.client;

import java.util.List;

/**
 * The volumes of the caller's project, obtained from {@link Perpetua#volumes()}: file systems of
 * a fixed size that outlive the sandboxes that mount them, each written by one sandbox at a time
 * (any number may mount it read-only). For a file system many sandboxes write at once, see
 * {@link Perpetua#drives()}.
 *
 * <pre>{@code
 * VolumeInfo data = perpetua.volumes().create("project-data", 1024);
 * Sandbox sandbox = perpetua.sandboxes().create(SandboxSpec.builder().volume("project-data", "/data").build());
 * }</pre>
 */
public final class Volumes {

    private final Http http;

    Volumes(Http http) {
        this.http = http;
    }

    /**
     * Makes a volume ({@code POST /v1/volumes}), empty and mounted nowhere.
     *
     * @param name   its name in the project: 1 to 63 characters of {@code [a-z0-9_-]}, starting with a letter or digit
     * @param sizeMb the size of its file system in MiB, {@value VolumeInfo#MIN_SIZE_MB} to {@value VolumeInfo#MAX_SIZE_MB};
     *               the daemon's disk holds only what is written
     * @return the volume
     * @throws IllegalArgumentException if {@code name} or {@code sizeMb} is out of range; nothing is sent then
     * @throws ConflictException        with the code {@code volume_exists} if the project has a volume of that name
     * @throws QuotaExceededException   with the code {@code project_volume_limit} if the project has 100 volumes and
     *                                  drives already
     * @throws InvalidRequestException  if the daemon refuses the name or size, named by its field, such as a size
     *                                  larger than its disk
     */
    public VolumeInfo create(String name, int sizeMb) {
        Validation.volumeName(name, "name");
        Validation.between(sizeMb, VolumeInfo.MIN_SIZE_MB, VolumeInfo.MAX_SIZE_MB, "sizeMb");
        return http.json(http.post("/v1/volumes", new RequestBody().set("name", name).set("sizeMb", sizeMb).fields()),
                VolumeInfo::from);
    }

    /**
     * Lists the project's volumes ({@code GET /v1/volumes}), with the sandboxes that mount them.
     *
     * @return the volumes, oldest first
     */
    public List<VolumeInfo> list() {
        return http.json(http.get("/v1/volumes"), json -> json.objects("volumes").stream().map(VolumeInfo::from).toList());
    }

    /**
     * Fetches a volume ({@code GET /v1/volumes/{idOrName}}), with the sandboxes that mount it.
     *
     * @param idOrName the volume's id or name
     * @return the volume
     * @throws IllegalArgumentException if {@code idOrName} is blank
     * @throws NotFoundException        with the code {@code volume_not_found} if the project has no such volume
     */
    public VolumeInfo get(String idOrName) {
        return http.json(http.get(path(idOrName)), VolumeInfo::from);
    }

    /**
     * Deletes a volume and every file in it ({@code DELETE /v1/volumes/{idOrName}}).
     *
     * @param idOrName the volume's id or name
     * @throws IllegalArgumentException if {@code idOrName} is blank
     * @throws NotFoundException        with the code {@code volume_not_found} if the project has no such volume
     * @throws ConflictException        with the code {@code volume_in_use}, naming them, while a live sandbox mounts
     *                                  it: a mount lasts as long as its sandbox
     */
    public void delete(String idOrName) {
        http.discard(http.delete(path(idOrName)));
    }

    private static String path(String idOrName) {
        return "/v1/volumes/" + Http.segment(Validation.notBlank(idOrName, "idOrName"));
    }
}

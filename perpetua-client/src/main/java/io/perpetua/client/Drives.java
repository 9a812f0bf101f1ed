package io.perpetua.client;

import java.util.List;

/**
 * The drives of the caller's project, obtained from {@link Perpetua#drives()}: file systems that
 * outlive the sandboxes that mount them and that any number of sandboxes write at once; what one
 * writes, the others read at once. Appends from several sandboxes to one file are not atomic:
 * take a lock of your own, such as a directory made with {@code mkdir}. For a file system with
 * one writer at a time, see {@link Perpetua#volumes()}.
 *
 * <pre>{@code
 * perpetua.drives().create("team-share");
 * Sandbox a = perpetua.sandboxes().create(SandboxSpec.builder().drive("team-share", "/shared").build());
 * Sandbox b = perpetua.sandboxes().create();
 * b.mountDrive("team-share", "/shared"); // into the running sandbox, without a restart
 * }</pre>
 */
public final class Drives {

    /** The size of a drive made without one, in MiB (10 GiB). */
    public static final int DEFAULT_SIZE_MB = 10_240;

    private final Http http;

    Drives(Http http) {
        this.http = http;
    }

    /**
     * Makes a drive of the daemon's default size, {@value #DEFAULT_SIZE_MB} MiB ({@code POST /v1/drives}),
     * empty and mounted nowhere.
     *
     * @param name its name in the project: 1 to 63 characters of {@code [a-z0-9_-]}, starting with a letter or digit
     * @return the drive
     * @throws IllegalArgumentException if {@code name} cannot name a drive; nothing is sent then
     * @throws ConflictException        with the code {@code drive_exists} if the project has a drive of that name
     * @throws QuotaExceededException   with the code {@code project_volume_limit} if the project has 100 volumes and
     *                                  drives already
     * @throws InvalidRequestException  if the daemon refuses the name, or the default size is larger than its disk
     */
    public VolumeInfo create(String name) {
        return make(name, null);
    }

    /**
     * Makes a drive ({@code POST /v1/drives}), empty and mounted nowhere.
     *
     * @param name   its name in the project: 1 to 63 characters of {@code [a-z0-9_-]}, starting with a letter or digit
     * @param sizeMb the size of its file system in MiB, {@value VolumeInfo#MIN_SIZE_MB} to {@value VolumeInfo#MAX_SIZE_MB};
     *               the daemon's disk holds only what is written
     * @return the drive
     * @throws IllegalArgumentException if {@code name} or {@code sizeMb} is out of range; nothing is sent then
     * @throws ConflictException        with the code {@code drive_exists} if the project has a drive of that name
     * @throws QuotaExceededException   with the code {@code project_volume_limit} if the project has 100 volumes and
     *                                  drives already
     * @throws InvalidRequestException  if the daemon refuses the name or size, named by its field, such as a size
     *                                  larger than its disk
     */
    public VolumeInfo create(String name, int sizeMb) {
        return make(name, Validation.between(sizeMb, VolumeInfo.MIN_SIZE_MB, VolumeInfo.MAX_SIZE_MB, "sizeMb"));
    }

    /**
     * Lists the project's drives ({@code GET /v1/drives}), with the sandboxes that mount them.
     *
     * @return the drives, oldest first
     */
    public List<VolumeInfo> list() {
        return http.json(http.get("/v1/drives"), json -> json.objects("drives").stream().map(VolumeInfo::from).toList());
    }

    /**
     * Fetches a drive ({@code GET /v1/drives/{idOrName}}), with the sandboxes that mount it.
     *
     * @param idOrName the drive's id or name
     * @return the drive
     * @throws IllegalArgumentException if {@code idOrName} is blank
     * @throws NotFoundException        with the code {@code drive_not_found} if the project has no such drive
     */
    public VolumeInfo get(String idOrName) {
        return http.json(http.get(path(idOrName)), VolumeInfo::from);
    }

    /**
     * Deletes a drive and every file in it ({@code DELETE /v1/drives/{idOrName}}).
     *
     * @param idOrName the drive's id or name
     * @throws IllegalArgumentException if {@code idOrName} is blank
     * @throws NotFoundException        with the code {@code drive_not_found} if the project has no such drive
     * @throws ConflictException        with the code {@code volume_in_use}, naming them, while a live sandbox mounts
     *                                  it: a mount lasts as long as its sandbox
     */
    public void delete(String idOrName) {
        http.discard(http.delete(path(idOrName)));
    }

    private VolumeInfo make(String name, Integer sizeMb) {
        Validation.volumeName(name, "name");
        return http.json(http.post("/v1/drives", new RequestBody().set("name", name).set("sizeMb", sizeMb).fields()),
                VolumeInfo::from);
    }

    private static String path(String idOrName) {
        return "/v1/drives/" + Http.segment(Validation.notBlank(idOrName, "idOrName"));
    }
}

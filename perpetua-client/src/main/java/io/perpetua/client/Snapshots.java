package io.perpetua.client;

import java.util.List;

/**
 * The saved snapshots of the caller's project, obtained from {@link Perpetua#snapshots()}.
 * Snapshots are taken with {@link Sandbox#snapshot()}, rolled back to with
 * {@link Sandbox#restore(String)} and copied with {@link Sandboxes#createFromSnapshot(String)}.
 */
public final class Snapshots {

    private final Http http;

    Snapshots(Http http) {
        this.http = http;
    }

    /**
     * Lists the project's snapshots ({@code GET /v1/snapshots}), those of deleted sandboxes included.
     *
     * @return the snapshots, oldest first
     */
    public List<SavedSnapshotInfo> list() {
        return http.json(http.get("/v1/snapshots"), Snapshots::decodeList);
    }

    /**
     * Fetches a snapshot ({@code GET /v1/snapshots/{id}}).
     *
     * @param id the snapshot's id
     * @return the snapshot
     * @throws IllegalArgumentException if {@code id} is blank
     * @throws NotFoundException        with the code {@code snapshot_not_found} if the project has no such snapshot
     */
    public SavedSnapshotInfo get(String id) {
        return http.json(http.get(path(id)), SavedSnapshotInfo::from);
    }

    /**
     * Deletes a snapshot and its content ({@code DELETE /v1/snapshots/{id}}). Sandboxes made
     * from it are not affected.
     *
     * @param id the snapshot's id
     * @throws IllegalArgumentException if {@code id} is blank
     * @throws NotFoundException        with the code {@code snapshot_not_found} if the project has no such snapshot
     */
    public void delete(String id) {
        http.discard(http.delete(path(id)));
    }

    /** The {@code snapshots} array of a listing. */
    static List<SavedSnapshotInfo> decodeList(JsonObject json) {
        return json.objects("snapshots").stream().map(SavedSnapshotInfo::from).toList();
    }

    private static String path(String id) {
        return "/v1/snapshots/" + Http.segment(Validation.notBlank(id, "id"));
    }
}

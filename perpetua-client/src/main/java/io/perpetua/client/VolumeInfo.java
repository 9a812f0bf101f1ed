package io.perpetua.client;

import java.time.Instant;
import java.util.List;

/**
 * A volume or drive of the caller's project as the daemon describes it: a file system of its own
 * that outlives the sandboxes that mount it, made with {@link Volumes#create(String, int)} or
 * {@link Drives#create(String)} and mounted with {@link SandboxSpec.Builder#volume(String, String)},
 * {@link SandboxSpec.Builder#drive(String, String)} or {@link Sandbox#mountDrive(String, String)}.
 *
 * @param id        its id, unique across every project
 * @param name      its name in the project, by which it can be mounted too
 * @param kind      a volume (one writer at a time) or a drive (written by many at once)
 * @param sizeMb    the size of its file system in MiB
 * @param usedBytes what it takes on the daemon's disk: what was written (its file system is sparse)
 * @param createdAt when it was made
 * @param mountedIn the live sandboxes that mount it, with where; empty when none does
 */
public record VolumeInfo(String id, String name, VolumeKind kind, int sizeMb, long usedBytes, Instant createdAt,
                         List<Holder> mountedIn) {

    /** The smallest size a volume or drive may have, in MiB. */
    public static final int MIN_SIZE_MB = 16;
    /** The largest size a volume or drive may have, in MiB (16 TiB). */
    public static final int MAX_SIZE_MB = 16_777_216;

    /** Copies the list; a null one is empty. */
    public VolumeInfo {
        mountedIn = mountedIn == null ? List.of() : List.copyOf(mountedIn);
    }

    /**
     * A live sandbox that mounts the volume or drive.
     *
     * @param sandboxId the sandbox's id
     * @param mountPath where it appears in the sandbox, such as {@code /data}
     * @param readOnly  whether the sandbox mounts it read-only
     */
    public record Holder(String sandboxId, String mountPath, boolean readOnly) {

        static Holder from(JsonObject json) {
            return new Holder(json.string("sandboxId"), json.string("mountPath"), json.bool("readOnly"));
        }
    }

    static VolumeInfo from(JsonObject json) {
        return new VolumeInfo(json.string("id"), json.string("name"), VolumeKind.of(json.string("kind"), "answer.kind"),
                json.int32("sizeMb"), json.integer("usedBytes"), json.instant("createdAt"),
                json.objects("mountedIn").stream().map(Holder::from).toList());
    }
}

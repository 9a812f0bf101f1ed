package io.perpetua.client;

/**
 * A volume or drive that a sandbox mounts, as {@link SandboxInfo#mounts()} lists it. It stays
 * mounted through standby, hibernation and restores, for the sandbox's life.
 *
 * @param kind      a volume or a drive, or null from a daemon that no longer knows it
 * @param id        the volume's or drive's id
 * @param name      its name, or null from a daemon that no longer knows it
 * @param mountPath where it appears in the sandbox, such as {@code /data}
 * @param readOnly  whether the sandbox may only read it
 */
public record MountInfo(VolumeKind kind, String id, String name, String mountPath, boolean readOnly) {

    static MountInfo from(JsonObject json) {
        String kind = json.optionalString("kind");
        return new MountInfo(kind == null ? null : VolumeKind.of(kind, "answer.mounts.kind"), json.string("id"),
                json.optionalString("name"), json.string("mountPath"), json.bool("readOnly"));
    }
}

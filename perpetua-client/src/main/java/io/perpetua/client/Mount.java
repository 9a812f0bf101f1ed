package io.perpetua.client;

import java.util.Map;
import java.util.Objects;

/**
 * A volume or drive to mount into a sandbox, named by its id or name: given to
 * {@link SandboxSpec.Builder#mount(Mount)} or {@link Sandboxes#createFromSnapshot(String, java.util.List)}.
 * A volume has one writer at a time, so a second read-write mount of it is refused; a drive is
 * written by any number of sandboxes at once.
 *
 * <pre>{@code
 * SandboxSpec spec = SandboxSpec.builder()
 *         .mount(Mount.volume("project-data", "/data"))
 *         .mount(Mount.drive("team-share", "/shared", true))
 *         .build();
 * }</pre>
 *
 * @param kind      whether {@code idOrName} names a volume or a drive
 * @param idOrName  the id or name of a volume or drive of the caller's project
 * @param mountPath where it appears in the sandbox: an absolute path such as {@code /data}, not {@code /} nor
 *                  at, in or above a system directory such as {@code /proc}, {@code /usr} or {@code /etc}
 * @param readOnly  whether the sandbox may only read it
 */
public record Mount(VolumeKind kind, String idOrName, String mountPath, boolean readOnly) {

    /**
     * Validates the parts.
     *
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     * @throws NullPointerException     if {@code kind} is null
     */
    public Mount {
        Objects.requireNonNull(kind, "kind");
        Validation.notBlank(idOrName, "idOrName");
        Validation.absolutePath(mountPath, "mountPath");
    }

    /**
     * A read-write mount of a volume: the sandbox is then its one writer while it lives.
     *
     * @param idOrName  the volume's id or name
     * @param mountPath where it appears in the sandbox, such as {@code /data}
     * @return the mount
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     */
    public static Mount volume(String idOrName, String mountPath) {
        return new Mount(VolumeKind.VOLUME, idOrName, mountPath, false);
    }

    /**
     * A mount of a volume.
     *
     * @param idOrName  the volume's id or name
     * @param mountPath where it appears in the sandbox, such as {@code /data}
     * @param readOnly  true to only read it, alongside its writer if it has one
     * @return the mount
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     */
    public static Mount volume(String idOrName, String mountPath, boolean readOnly) {
        return new Mount(VolumeKind.VOLUME, idOrName, mountPath, readOnly);
    }

    /**
     * A read-write mount of a drive.
     *
     * @param idOrName  the drive's id or name
     * @param mountPath where it appears in the sandbox, such as {@code /shared}
     * @return the mount
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     */
    public static Mount drive(String idOrName, String mountPath) {
        return new Mount(VolumeKind.DRIVE, idOrName, mountPath, false);
    }

    /**
     * A mount of a drive.
     *
     * @param idOrName  the drive's id or name
     * @param mountPath where it appears in the sandbox, such as {@code /shared}
     * @param readOnly  true to only read it
     * @return the mount
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     */
    public static Mount drive(String idOrName, String mountPath, boolean readOnly) {
        return new Mount(VolumeKind.DRIVE, idOrName, mountPath, readOnly);
    }

    /** The mount as the API takes it: {@code {"volume"|"drive": idOrName, "mountPath", "readOnly"}}. */
    Map<String, Object> body() {
        return new RequestBody()
                .set(kind.apiValue(), idOrName)
                .set("mountPath", mountPath)
                .set("readOnly", readOnly)
                .fields();
    }
}

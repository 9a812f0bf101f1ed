package io.perpetua.volume;

import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.Objects;

/**
 * A volume mounted into a sandbox, as the store records it. It lasts as long as the sandbox:
 * once that is deleted, the mount no longer holds the volume.
 *
 * @param sandbox    the sandbox it is mounted into
 * @param mount      which volume, where, how
 * @param attachedAt when it was mounted
 */
public record Attachment(SandboxId sandbox, VolumeMount mount, Instant attachedAt) {

    /** Checks that every part is present. */
    public Attachment {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(attachedAt, "attachedAt");
    }
}

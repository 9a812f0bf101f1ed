package io.perpetua.access;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known about an API key, without its secret: the daemon keeps only a hash of that.
 *
 * @param id        public identity of the key, for listing and revoking; not a secret
 * @param project   the project whose sandboxes the key may use
 * @param name      what its owner called it, for listings
 * @param admin     whether it may also manage keys
 * @param createdAt when it was issued
 * @param revokedAt when it was revoked, or {@code null} while it is valid
 */
public record ApiKey(String id, ProjectId project, String name, boolean admin, Instant createdAt, Instant revokedAt) {

    /** Checks that the required parts are present. */
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the key may still be used. */
    public boolean active() {
        return revokedAt == null;
    }

    /** This key, revoked at {@code at}. */
    public ApiKey revoked(Instant at) {
        return new ApiKey(id, project, name, admin, createdAt, at);
    }
}

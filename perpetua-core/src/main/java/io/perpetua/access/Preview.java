package io.perpetua.access;

import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.Objects;

/**
 * A preview: a port of a sandbox opened to anyone holding its token, for browsers. The daemon
 * keeps only a hash of the token.
 *
 * @param id        public identity of the preview, for listing and revoking; not a secret
 * @param sandbox   the sandbox whose port it opens
 * @param port      the port
 * @param createdAt when it was made
 * @param revokedAt when it was revoked, or {@code null} while it is open
 */
public record Preview(String id, SandboxId sandbox, int port, Instant createdAt, Instant revokedAt) {

    /** Checks that the required parts are present. */
    public Preview {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether its token still opens it. */
    public boolean active() {
        return revokedAt == null;
    }

    /** This preview, revoked at {@code at}. */
    public Preview revoked(Instant at) {
        return new Preview(id, sandbox, port, createdAt, at);
    }
}

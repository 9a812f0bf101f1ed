package io.perpetua.client;

import java.time.Instant;

/**
 * An API key as the daemon lists it: never its secret, which the daemon does not keep.
 *
 * @param id        the key's public id, used to revoke it
 * @param project   the project whose sandboxes it reaches
 * @param name      what its owner called it
 * @param admin     whether it may manage keys
 * @param createdAt when it was issued
 * @param revokedAt when it was revoked, or null while it is valid
 */
public record KeyInfo(String id, String project, String name, boolean admin, Instant createdAt, Instant revokedAt) {

    static KeyInfo from(JsonObject json) {
        String revoked = json.optionalString("revokedAt");
        return new KeyInfo(json.string("id"), json.string("project"), json.string("name"), json.bool("admin"),
                json.instant("createdAt"), revoked == null ? null : Instant.parse(revoked));
    }
}

package io.perpetua.client;

import java.time.Instant;

/**
 * A preview of a sandbox's port as the daemon lists it: never its token.
 *
 * @param id        the preview's id, used to revoke it
 * @param port      the port it opens
 * @param createdAt when it was made
 * @param revokedAt when it was revoked, or null while its URL works
 */
public record PreviewInfo(String id, int port, Instant createdAt, Instant revokedAt) {

    static PreviewInfo from(JsonObject json) {
        String revoked = json.optionalString("revokedAt");
        return new PreviewInfo(json.string("id"), json.int32("port"), json.instant("createdAt"), revoked == null ? null : Instant.parse(revoked));
    }
}

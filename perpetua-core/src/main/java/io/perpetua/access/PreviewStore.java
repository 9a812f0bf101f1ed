package io.perpetua.access;

import java.time.Instant;
import java.util.List;

/** Durable record of previews: the public part and a hash of each token. Writes are durable on return. */
public interface PreviewStore {

    /**
     * A preview and the hash of its token.
     *
     * @param preview   the public part
     * @param tokenHash hex SHA-256 of the token
     */
    record HashedPreview(Preview preview, String tokenHash) {
    }

    /** Records a new preview. */
    void insert(HashedPreview preview);

    /** Marks preview {@code id} revoked at {@code at}; returns false if there is no such open preview. */
    boolean revoke(String id, Instant at);

    /** Every preview ever made, revoked ones included, oldest first. */
    List<HashedPreview> all();
}

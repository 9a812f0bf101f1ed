package io.perpetua.access;

import java.time.Instant;
import java.util.List;

/**
 * Durable record of API keys: their public part and a hash of their secret, never the secret.
 * Each write is durable when the method returns.
 */
public interface KeyStore {

    /**
     * A key and the hash of its secret.
     *
     * @param key        the public part
     * @param secretHash hex SHA-256 of the secret
     */
    record HashedKey(ApiKey key, String secretHash) {
    }

    /** Records a new key. */
    void insert(HashedKey key);

    /** Marks key {@code id} revoked at {@code at}; returns false if there is no such key. */
    boolean revoke(String id, Instant at);

    /** Every key ever issued, revoked ones included, oldest first. */
    List<HashedKey> all();
}

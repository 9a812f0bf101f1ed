package io.perpetua.client;

/**
 * The daemon's answer to {@code GET /healthz}, which needs no key and so says nothing about
 * anybody's sandboxes.
 *
 * @param status {@code ok} when the daemon serves requests
 */
public record Health(String status) {

    static Health from(JsonObject json) {
        return new Health(json.string("status"));
    }
}

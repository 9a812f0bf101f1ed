package io.perpetua.client;

/**
 * The daemon's answer to {@code GET /healthz}.
 *
 * @param status    {@code ok} when the daemon serves requests
 * @param sandboxes how many sandboxes it has
 */
public record Health(String status, int sandboxes) {

    static Health from(JsonObject json) {
        return new Health(json.string("status"), json.int32("sandboxes"));
    }
}
